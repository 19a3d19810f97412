"""Who may do what to a dossier: every cross-access is refused and changes nothing.

One dossier (booked by the citizen account ``citizen.an`` for the Thu Dau Mot branch, its
inbound pair assigned to courier BD-CR-TDM-01, and later its return pair too) is brought to the
state each operation needs; then each actor tries the operation once. The operations cover both
legs (pickup, center counter, result pickup, delivery, failed attempts), the handover record, its
images and receipts (its parties' only: the citizen's side by the booking's account, a center or a
post office by its staff), the custody chain, and the public cancel/reschedule with a wrong phone
suffix or another dossier's code. The dispatcher of another post office (Di An) is refused like
any other stranger to the dossier, and their job list leaves it out; so is a courier account bound
to no courier record. The courier app's reads (own record, own route) and the assigned courier's
phone (device session: listed, signed out) are checked the same way.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier import runtime
from courier.accounts import devices
from courier.accounts import service as accounts
from courier.accounts.models import DeviceSession, User
from courier.dossiers.models import Dossier, Job, JobAttempt, Leg
from courier.enums import Role
from courier.handovers.models import Handover, HandoverItem
from courier.proofs.kinds import ProofRole
from courier.proofs.models import HandoverProof, Receipt
from courier.settings import Settings
from tests.builders import (
    STAFF_TDM,
    assign,
    book,
    booking_body,
    booking_day,
    counts,
    courier_id,
    handover_body,
    headers_for,
    post_handover,
    site_id,
)
from tests.conftest import joined_sessions, rolled_back, suite_settings

NAME = "Hoàng Thị Mai Phương"
ADDRESS = "45 Bạch Đằng, phường Phú Cường, Thủ Dầu Một"
PHONE = "0987 654 321"
PERSONAL = (NAME, ADDRESS, "987654321")
ASSIGNED, OTHER_COURIER = "BD-CR-TDM-01", "BD-CR-TDM-02"

ACTORS = [
    "anonymous",
    "citizen_owner",
    "other_citizen",
    "enterprise",
    "assigned_courier",
    "other_courier",
    "courier_without_record",
    "staff_receiving_site",
    "staff_other_site",
    "dispatcher",
    "dispatcher_other_office",
    "admin",
    "api_key_site",
    "api_key_other_site",
    "api_key_enterprise",
]


@dataclass
class World:
    """The dossier under test and everyone's credentials."""

    client: TestClient
    session: Session
    code: str
    headers: dict[str, dict[str, str]]
    other_code: str = ""
    device: int = 0

    def job(self, kind: str = "pickup", leg: Leg = Leg.INBOUND) -> int:
        """The id of the dossier's job of that leg and kind."""
        query = (
            select(Job.id)
            .join(Dossier)
            .where(Dossier.tracking_code == self.code, Job.leg == leg, Job.kind == kind)
        )
        found = self.session.scalar(query)
        assert found is not None
        return found

    def handover(self) -> int:
        """The id of the dossier's latest handover."""
        query = (
            select(Handover.id)
            .join(HandoverItem, HandoverItem.handover_id == Handover.id)
            .join(Dossier, Dossier.id == HandoverItem.dossier_id)
            .where(Dossier.tracking_code == self.code)
            .order_by(Handover.id.desc())
        )
        found = self.session.scalar(query.limit(1))
        assert found is not None
        return found

    def signature(self) -> int:
        """The id of the signature image of the dossier's latest handover."""
        query = select(HandoverProof.id).where(
            HandoverProof.handover_id == self.handover(), HandoverProof.role == ProofRole.SIGNATURE
        )
        found = self.session.scalar(query.limit(1))
        assert found is not None
        return found

    def status(self) -> str:
        """The dossier's stored status."""
        self.session.expire_all()
        status = self.session.scalar(
            select(Dossier.status).where(Dossier.tracking_code == self.code)
        )
        return str(status)


Call = Callable[[World, dict[str, str]], Response]


def _credentials(session: Session) -> dict[str, dict[str, str]]:
    other = accounts.create_user(
        session, username="citizen.binh", password="another-citizen-2026", role=Role.CITIZEN
    )
    _, site_key = accounts.create_api_key(
        session, name="TDM system", site_id=site_id(session, "BD-TDM")
    )
    _, other_key = accounts.create_api_key(
        session, name="TA system", site_id=site_id(session, "BD-TA")
    )
    accounts.create_user(  # what `courier users create --role courier` makes
        session, username="courier.unbound", password="no-courier-record", role=Role.COURIER
    )
    enterprise = session.scalar(select(User.id).where(User.username == "enterprise.minhphat"))
    _, enterprise_key = accounts.create_api_key(session, name="Minh Phat", owner_id=enterprise)
    session.commit()
    return {
        "anonymous": {},
        "citizen_owner": headers_for(session, "citizen.an"),
        "other_citizen": headers_for(session, other.username),
        "enterprise": headers_for(session, "enterprise.minhphat"),
        "assigned_courier": headers_for(session, ASSIGNED.lower()),
        "other_courier": headers_for(session, OTHER_COURIER.lower()),
        "courier_without_record": headers_for(session, "courier.unbound"),
        "staff_receiving_site": headers_for(session, STAFF_TDM),
        "staff_other_site": headers_for(session, "center.thuanan"),
        "dispatcher": headers_for(session, "dispatch.tdm"),
        "dispatcher_other_office": headers_for(session, "dispatch.da"),
        "admin": headers_for(session, "admin"),
        "api_key_site": {"X-API-Key": site_key},
        "api_key_other_site": {"X-API-Key": other_key},
        "api_key_enterprise": {"X-API-Key": enterprise_key},
    }


def _world(client: TestClient, session: Session) -> World:
    headers = _credentials(session)
    body = {"applicant_name": NAME, "address_text": ADDRESS, "phone": PHONE}
    response = client.post(
        "/api/v1/bookings",
        json=booking_body(**body),
        headers=headers["citizen_owner"],
    )
    assert response.status_code == 201, response.text
    world = World(client, session, response.json()["tracking_code"], headers)
    assign(client, headers["dispatcher"], world.job(), courier_id(session, ASSIGNED))
    return world


def _done(w: World, actor: str, call: Call) -> None:
    """One step of an arrangement, made by the actor whose step it is."""
    response = call(w, w.headers[actor])
    assert response.status_code in (200, 201), response.text


def _picked_up(w: World) -> None:
    _done(w, "assigned_courier", _handover(_citizen, _courier))


def _received(w: World) -> None:
    _picked_up(w)
    _done(w, "assigned_courier", _handover(_courier, _center))


def _result_ready(w: World) -> None:
    _received(w)
    _done(w, "staff_receiving_site", _post("/api/v1/dossiers/{code}/result-ready"))
    return_pickup = w.job("pickup", Leg.RETURN)
    assign(w.client, w.headers["dispatcher"], return_pickup, courier_id(w.session, ASSIGNED))


def _result_picked_up(w: World) -> None:
    _result_ready(w)
    _done(w, "assigned_courier", _handover(_center, _courier))


def _out_for_delivery(w: World) -> None:
    _result_picked_up(w)
    _done(w, "assigned_courier", _post("/api/v1/dossiers/{code}/depart"))


def _delivered(w: World) -> None:
    _out_for_delivery(w)
    _done(w, "assigned_courier", _handover(_courier, _citizen))


def _at_post_office(w: World) -> None:
    _picked_up(w)
    _done(w, "assigned_courier", _handover(_courier, _post_office))


def _another_dossier(w: World) -> None:
    w.other_code = book(w.client)["tracking_code"]  # the builders' applicant: phone ...5678


def _assigned_phone(w: World) -> None:
    """The assigned courier signed in on a phone (a device session)."""
    user = w.session.scalars(select(User).where(User.username == ASSIGNED.lower())).one()
    device, _ = devices.open_session(w.session, user, name="Redmi 9A", settings=Settings())
    w.session.commit()
    w.device = device.id


def _courier(w: World) -> dict[str, Any]:
    return {"kind": "courier", "id": courier_id(w.session, ASSIGNED)}


def _center(w: World) -> dict[str, Any]:
    return {"kind": "center", "id": site_id(w.session, "BD-TDM")}


def _citizen(w: World) -> dict[str, Any]:
    return {"kind": "citizen"}


def _post_office(w: World) -> dict[str, Any]:
    return {"kind": "post_office", "id": site_id(w.session, "BD-PO-TDM-1")}


@dataclass(frozen=True)
class Operation:
    """An HTTP call on the dossier or its job, the state it needs, and who may make it."""

    arrange: Callable[[World], None]
    call: Call
    allowed: frozenset[str]
    # False when even a rightful caller's answer must carry no name, phone or address
    personal: bool = True


def _nothing(w: World) -> None:
    return None


def _get(path: str) -> Call:
    """A GET of `path`, formatted with the world (code, job, handover, signature, other_code)."""

    def call(w: World, h: dict[str, str]) -> Response:
        fields = {"code": w.code, "other": w.other_code}
        if "{handover}" in path:
            fields["handover"] = str(w.handover())
        if "{proof}" in path:
            fields["proof"] = str(w.signature())
        return w.client.get(path.format(**fields), headers=h)

    return call


def _post(path: str) -> Call:
    """A POST without a body to `path`, formatted with the dossier's code."""

    def call(w: World, h: dict[str, str]) -> Response:
        return w.client.post(path.format(code=w.code), headers=h)

    return call


Party = Callable[[World], dict[str, Any]]


def _handover(giver: Party, receiver: Party) -> Call:
    """Record a complete handover of the dossier from giver to receiver."""

    def call(w: World, h: dict[str, str]) -> Response:
        response: Response = post_handover(
            w.client, handover_body(giver(w), receiver(w), [w.code]), h
        )
        return response

    return call


def _attempt(kind: str, leg: Leg, reason: str) -> Call:
    """Record a failed attempt on the dossier's job of that leg and kind."""

    def call(w: World, h: dict[str, str]) -> Response:
        url = f"/api/v1/jobs/{w.job(kind, leg)}/attempts"
        return w.client.post(url, json={"reason": reason}, headers=h)

    return call


def _reschedule(code: Callable[[World], str], phone: str) -> Call:
    def call(w: World, h: dict[str, str]) -> Response:
        body = {"phone": phone, "preferred_on": booking_day().isoformat(), "slot": "afternoon"}
        return w.client.post(f"/api/v1/track/{code(w)}/reschedule", json=body, headers=h)

    return call


def _cancel(code: Callable[[World], str], phone: str) -> Call:
    def call(w: World, h: dict[str, str]) -> Response:
        return w.client.post(f"/api/v1/track/{code(w)}/cancel", json={"phone": phone}, headers=h)

    return call


def _code(w: World) -> str:
    return w.code


def _other(w: World) -> str:
    return w.other_code


CONCERNED = frozenset(
    {
        "citizen_owner",
        "assigned_courier",
        "staff_receiving_site",
        "dispatcher",
        "admin",
        "api_key_site",
    }
)
STAFF_OF_SITE = {"staff_receiving_site", "api_key_site", "admin"}
# who reads a handover's signatures, photos and receipt: its parties (the booking's account for
# the citizen) and admins, never staff the dossier merely concerns
CITIZEN_AND_COURIER = frozenset({"citizen_owner", "assigned_courier", "admin"})
COURIER_AND_CENTER = frozenset({"assigned_courier", "staff_receiving_site", "admin"})
COURIER_AND_OFFICE = frozenset({"assigned_courier", "dispatcher", "admin"})
COURIERS_WITH_A_RECORD = frozenset({"assigned_courier", "other_courier"})
CARRIER = frozenset({"assigned_courier", "admin"})
NOBODY: frozenset[str] = frozenset()
OWN_SUFFIX = "4321"  # the last digits of PHONE; the other dossier's phone ends in 5678
OPERATIONS: dict[str, Operation] = {
    "get_dossier": Operation(
        _nothing,
        lambda w, h: w.client.get(f"/api/v1/dossiers/{w.code}", headers=h),
        CONCERNED,
    ),
    "list_jobs": Operation(
        _nothing,
        lambda w, h: w.client.get("/api/v1/jobs", headers=h),
        frozenset({"assigned_courier", "dispatcher", "admin"}),
    ),
    "get_job": Operation(
        _nothing,
        lambda w, h: w.client.get(f"/api/v1/jobs/{w.job()}", headers=h),
        frozenset({"assigned_courier", "dispatcher", "admin"}),
    ),
    "attempt": Operation(
        _nothing,
        _attempt("pickup", Leg.INBOUND, "not_home"),
        frozenset({"assigned_courier", "admin"}),
    ),
    "assign": Operation(
        _nothing,
        lambda w, h: w.client.post(
            f"/api/v1/jobs/{w.job()}/assign",
            json={"courier_id": courier_id(w.session, OTHER_COURIER)},
            headers=h,
        ),
        frozenset({"dispatcher", "admin"}),
    ),
    "depart": Operation(
        _picked_up,
        _post("/api/v1/dossiers/{code}/depart"),
        frozenset({"assigned_courier", "admin"}),
    ),
    "processing": Operation(
        _received,
        _post("/api/v1/dossiers/{code}/processing"),
        frozenset(STAFF_OF_SITE),
    ),
    "result_ready": Operation(
        _received,
        _post("/api/v1/dossiers/{code}/result-ready"),
        frozenset(STAFF_OF_SITE),
    ),
    "handover_pickup": Operation(
        _nothing,
        _handover(_citizen, _courier),
        frozenset({"assigned_courier", "admin"}),
    ),
    "handover_receive_at_center": Operation(
        _picked_up,
        _handover(_courier, _center),
        frozenset({"assigned_courier", "staff_receiving_site", "admin"}),
    ),
    "handover_result_pickup": Operation(
        _result_ready,
        _handover(_center, _courier),
        frozenset({"assigned_courier", "staff_receiving_site", "admin"}),
    ),
    "depart_with_result": Operation(
        _result_picked_up,
        _post("/api/v1/dossiers/{code}/depart"),
        CARRIER,
    ),
    "handover_delivery": Operation(
        _out_for_delivery,
        _handover(_courier, _citizen),
        CARRIER,
    ),
    "attempt_result_pickup": Operation(
        _result_ready,
        _attempt("pickup", Leg.RETURN, "site_closed"),
        CARRIER,
    ),
    "attempt_delivery": Operation(
        _out_for_delivery,
        _attempt("delivery", Leg.RETURN, "not_home"),
        CARRIER,
    ),
    "get_return_job": Operation(
        _result_ready,
        lambda w, h: w.client.get(f"/api/v1/jobs/{w.job('delivery', Leg.RETURN)}", headers=h),
        frozenset({"assigned_courier", "dispatcher", "admin"}),
    ),
    "get_pickup_handover": Operation(
        _picked_up, _get("/api/v1/handovers/{handover}"), CONCERNED, personal=False
    ),
    "get_pickup_signature": Operation(
        _picked_up, _get("/api/v1/handovers/{handover}/proofs/{proof}"), CITIZEN_AND_COURIER
    ),
    "get_pickup_receipt_pdf": Operation(
        _picked_up, _get("/api/v1/handovers/{handover}/receipt.pdf"), CITIZEN_AND_COURIER
    ),
    "get_pickup_receipt_png": Operation(
        _picked_up, _get("/api/v1/handovers/{handover}/receipt.png"), CITIZEN_AND_COURIER
    ),
    "get_center_handover": Operation(
        _received, _get("/api/v1/handovers/{handover}"), CONCERNED, personal=False
    ),
    "get_center_signature": Operation(
        _received, _get("/api/v1/handovers/{handover}/proofs/{proof}"), COURIER_AND_CENTER
    ),
    "get_center_receipt_pdf": Operation(
        _received, _get("/api/v1/handovers/{handover}/receipt.pdf"), COURIER_AND_CENTER
    ),
    "get_post_office_signature": Operation(
        _at_post_office, _get("/api/v1/handovers/{handover}/proofs/{proof}"), COURIER_AND_OFFICE
    ),
    "get_post_office_receipt_pdf": Operation(
        _at_post_office, _get("/api/v1/handovers/{handover}/receipt.pdf"), COURIER_AND_OFFICE
    ),
    "get_delivery_handover": Operation(
        _delivered, _get("/api/v1/handovers/{handover}"), CONCERNED, personal=False
    ),
    "get_delivery_signature": Operation(
        _delivered, _get("/api/v1/handovers/{handover}/proofs/{proof}"), CITIZEN_AND_COURIER
    ),
    "get_delivery_receipt_pdf": Operation(
        _delivered, _get("/api/v1/handovers/{handover}/receipt.pdf"), CITIZEN_AND_COURIER
    ),
    "custody_signed_in": Operation(
        _picked_up, _get("/api/v1/dossiers/{code}/custody"), CONCERNED, personal=False
    ),
    "custody_with_phone": Operation(
        _picked_up,
        _get("/api/v1/dossiers/{code}/custody?phone=" + OWN_SUFFIX),
        frozenset(ACTORS),
        personal=False,
    ),
    "custody_with_wrong_phone": Operation(
        _picked_up, _get("/api/v1/dossiers/{code}/custody?phone=0000"), NOBODY
    ),
    "custody_other_code_own_phone": Operation(
        _another_dossier, _get("/api/v1/dossiers/{other}/custody?phone=" + OWN_SUFFIX), NOBODY
    ),
    "cancel_with_wrong_phone": Operation(_nothing, _cancel(_code, "0000"), NOBODY),
    "cancel_other_code_own_phone": Operation(_another_dossier, _cancel(_other, OWN_SUFFIX), NOBODY),
    "reschedule_with_wrong_phone": Operation(_nothing, _reschedule(_code, "0000"), NOBODY),
    "reschedule_other_code_own_phone": Operation(
        _another_dossier, _reschedule(_other, OWN_SUFFIX), NOBODY
    ),
    "couriers_me": Operation(
        _nothing, _get("/api/v1/couriers/me"), COURIERS_WITH_A_RECORD, personal=False
    ),
    "my_route": Operation(
        _nothing,
        lambda w, h: w.client.get(
            "/api/v1/couriers/me/route", params={"date": booking_day().isoformat()}, headers=h
        ),
        COURIERS_WITH_A_RECORD,
    ),
    "list_devices": Operation(
        _assigned_phone,
        _get("/api/v1/devices"),
        frozenset(ACTORS)
        - {"anonymous", "api_key_site", "api_key_other_site", "api_key_enterprise"},
        personal=False,
    ),
    "revoke_device": Operation(
        _assigned_phone,
        lambda w, h: w.client.post(
            f"/api/v1/devices/{w.device}/revoke", json={"reason": "lost phone"}, headers=h
        ),
        frozenset({"assigned_courier", "dispatcher", "admin"}),
        personal=False,
    ),
}
# lists every allowed actor may read, and who finds the dossier (or the phone) in them
LISTED: dict[str, tuple[frozenset[str], Callable[[World], str]]] = {
    "my_route": (frozenset({"assigned_courier"}), lambda w: w.code),
    "list_devices": (
        frozenset({"assigned_courier", "dispatcher", "admin"}),
        lambda w: f'"id":{w.device},',
    ),
}


def _snapshot(w: World) -> list[Any]:
    """Every dossier's state and schedule, every job, and how many rows each table holds."""
    session = w.session
    dossiers = select(
        Dossier.tracking_code,
        Dossier.status,
        Dossier.holder_kind,
        Dossier.holder_id,
        Dossier.preferred_on,
        Dossier.slot,
        Dossier.due_on,
    ).order_by(Dossier.id)
    jobs = select(
        Job.id, Job.status, Job.courier_id, Job.attempts, Job.window_start, Job.window_end
    ).order_by(Job.id)
    extra = {
        m.__tablename__: session.scalar(select(func.count()).select_from(m))
        for m in (JobAttempt, HandoverProof, Receipt)
    }
    extra["revoked_devices"] = session.scalar(
        select(func.count()).where(DeviceSession.revoked_at.is_not(None))
    )
    return [
        counts(session),
        extra,
        [tuple(r) for r in session.execute(dossiers)],
        [tuple(r) for r in session.execute(jobs)],
    ]


@dataclass
class Arranged:
    """A world brought to an operation's state, on a connection rolled back afterwards."""

    operation: str
    world: World
    connection: Connection
    factory: sessionmaker[Session]


@pytest.fixture(scope="module", params=list(OPERATIONS))
def arranged(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Arranged]:
    """The dossier in the state the operation needs, arranged once for all the actors who try
    it: each try starts from this state and is undone (`world`)."""
    with (
        rolled_back(engine) as conn,
        joined_sessions(conn) as made,
        TestClient(create_app(suite_settings(), made)) as client,
        made() as session,
    ):
        w = _world(client, session)
        OPERATIONS[request.param].arrange(w)
        session.commit()
        yield Arranged(request.param, w, conn, made)


@pytest.fixture
def world(arranged: Arranged) -> Iterator[World]:
    """The arranged world for one actor's try, with an app of its own; the try is rolled back."""
    attempt = arranged.connection.begin_nested()
    runtime.use_session_factory(arranged.factory)
    with (
        TestClient(create_app(suite_settings(), arranged.factory)) as client,
        arranged.factory() as session,
    ):
        yield replace(arranged.world, client=client, session=session)
    attempt.rollback()


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_rightful_actor_may_act(arranged: Arranged, world: World, actor: str) -> None:
    """Rightful actors succeed; everyone else is refused (401/403/404) and nothing changes."""
    w, operation = world, arranged.operation
    op = OPERATIONS[operation]
    before = _snapshot(w)
    response = op.call(w, w.headers[actor])
    if actor in op.allowed:
        assert response.status_code in (200, 201), response.text
        if operation == "list_jobs":
            assert w.code in {j["tracking_code"] for j in response.json()}
        if operation in LISTED:
            finders, marker = LISTED[operation]
            assert (marker(w) in response.text) == (actor in finders)
        if not op.personal:
            assert not [secret for secret in PERSONAL if secret in response.text]
        return
    if operation == "list_jobs" and actor in (
        "other_courier",
        "courier_without_record",
        "dispatcher_other_office",
    ):
        assert response.status_code == 200
        assert w.code not in response.text
    else:
        assert response.status_code in (401, 403, 404), response.text
    assert _snapshot(w) == before
    assert not [secret for secret in PERSONAL if secret in response.text]


SHOWN = {
    "get_dossier": (NAME, ADDRESS, "+84987654321"),
    "get_job": (ADDRESS,),
    "get_return_job": (ADDRESS,),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("arranged", list(SHOWN), indirect=True)
def test_personal_data_only_reaches_those_it_concerns(
    arranged: Arranged, world: World, actor: str
) -> None:
    """The applicant's name, phone and address are in the dossier and job views only for their
    rightful viewers, and in full for them."""
    view = arranged.operation
    op = OPERATIONS[view]
    response = op.call(world, world.headers[actor])
    shown = [secret in response.text for secret in SHOWN[view]]
    assert shown == [actor in op.allowed] * len(shown)
