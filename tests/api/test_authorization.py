"""Who may do what to a dossier: every cross-access is refused and changes nothing.

One dossier (booked by the citizen account ``citizen.an`` for the Thu Dau Mot branch, its
inbound pair assigned to courier BD-CR-TDM-01) is brought to the state each operation needs;
then each actor tries the operation once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
from courier.dossiers.models import Dossier, Job, Leg
from courier.enums import Role
from tests.builders import (
    STAFF_TDM,
    assign,
    booking_body,
    counts,
    courier_id,
    handover_body,
    headers_for,
    post_handover,
    post_handover_ok,
    site_id,
)

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
    "staff_receiving_site",
    "staff_other_site",
    "dispatcher",
    "admin",
    "api_key_site",
    "api_key_other_site",
]


@dataclass
class World:
    """The dossier under test and everyone's credentials."""

    client: TestClient
    session: Session
    code: str
    headers: dict[str, dict[str, str]]

    def job(self, kind: str = "pickup") -> int:
        """The id of the dossier's inbound job."""
        query = (
            select(Job.id)
            .join(Dossier)
            .where(Dossier.tracking_code == self.code, Job.leg == Leg.INBOUND, Job.kind == kind)
        )
        found = self.session.scalar(query)
        assert found is not None
        return found

    def status(self) -> str:
        """The dossier's stored status."""
        self.session.expire_all()
        status = self.session.scalar(
            select(Dossier.status).where(Dossier.tracking_code == self.code)
        )
        return str(status)


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
    session.commit()
    return {
        "anonymous": {},
        "citizen_owner": headers_for(session, "citizen.an"),
        "other_citizen": headers_for(session, other.username),
        "enterprise": headers_for(session, "enterprise.minhphat"),
        "assigned_courier": headers_for(session, ASSIGNED.lower()),
        "other_courier": headers_for(session, OTHER_COURIER.lower()),
        "staff_receiving_site": headers_for(session, STAFF_TDM),
        "staff_other_site": headers_for(session, "center.thuanan"),
        "dispatcher": headers_for(session, "dispatch.tdm"),
        "admin": headers_for(session, "admin"),
        "api_key_site": {"X-API-Key": site_key},
        "api_key_other_site": {"X-API-Key": other_key},
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


def _picked_up(w: World) -> None:
    body = handover_body({"kind": "citizen"}, _courier(w), [w.code])
    post_handover_ok(w.client, w.headers["assigned_courier"], body)


def _received(w: World) -> None:
    _picked_up(w)
    body = handover_body(_courier(w), _center(w), [w.code])
    post_handover_ok(w.client, w.headers["assigned_courier"], body)


def _courier(w: World) -> dict[str, Any]:
    return {"kind": "courier", "id": courier_id(w.session, ASSIGNED)}


def _center(w: World) -> dict[str, Any]:
    return {"kind": "center", "id": site_id(w.session, "BD-TDM")}


@dataclass(frozen=True)
class Operation:
    """An HTTP call on the dossier or its job, the state it needs, and who may make it."""

    arrange: Callable[[World], None]
    call: Callable[[World, dict[str, str]], Response]
    allowed: frozenset[str]


def _nothing(w: World) -> None:
    return None


STAFF_OF_SITE = {"staff_receiving_site", "api_key_site", "admin"}
OPERATIONS: dict[str, Operation] = {
    "get_dossier": Operation(
        _nothing,
        lambda w, h: w.client.get(f"/api/v1/dossiers/{w.code}", headers=h),
        frozenset(
            {
                "citizen_owner",
                "assigned_courier",
                "staff_receiving_site",
                "dispatcher",
                "admin",
                "api_key_site",
            }
        ),
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
        lambda w, h: w.client.post(
            f"/api/v1/jobs/{w.job()}/attempts", json={"reason": "not_home"}, headers=h
        ),
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
        lambda w, h: w.client.post(f"/api/v1/dossiers/{w.code}/depart", headers=h),
        frozenset({"assigned_courier", "admin"}),
    ),
    "processing": Operation(
        _received,
        lambda w, h: w.client.post(f"/api/v1/dossiers/{w.code}/processing", headers=h),
        frozenset(STAFF_OF_SITE),
    ),
    "result_ready": Operation(
        _received,
        lambda w, h: w.client.post(f"/api/v1/dossiers/{w.code}/result-ready", headers=h),
        frozenset(STAFF_OF_SITE),
    ),
    "handover_pickup": Operation(
        _nothing,
        lambda w, h: post_handover(
            w.client, handover_body({"kind": "citizen"}, _courier(w), [w.code]), h
        ),
        frozenset({"assigned_courier", "admin"}),
    ),
    "handover_receive_at_center": Operation(
        _picked_up,
        lambda w, h: post_handover(w.client, handover_body(_courier(w), _center(w), [w.code]), h),
        frozenset({"assigned_courier", "staff_receiving_site", "admin"}),
    ),
}


def _snapshot(w: World) -> tuple[str, dict[str, int], list[tuple[Any, ...]]]:
    status = w.status()
    query = select(Job.status, Job.courier_id, Job.attempts).join(Dossier).order_by(Job.id)
    jobs = [tuple(r) for r in w.session.execute(query.where(Dossier.tracking_code == w.code))]
    return status, counts(w.session), list(jobs)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_only_the_rightful_actor_may_act(
    client: TestClient, session: Session, operation: str, actor: str
) -> None:
    """Rightful actors succeed; everyone else is refused (401/403/404) and nothing changes."""
    w = _world(client, session)
    op = OPERATIONS[operation]
    op.arrange(w)
    before = _snapshot(w)
    response = op.call(w, w.headers[actor])
    if actor in op.allowed:
        assert response.status_code in (200, 201), response.text
        if operation == "list_jobs":
            assert w.code in {j["tracking_code"] for j in response.json()}
        return
    if operation == "list_jobs" and actor == "other_courier":
        assert response.status_code == 200
        assert w.code not in response.text
    else:
        assert response.status_code in (401, 403, 404), response.text
    assert _snapshot(w) == before
    for secret in PERSONAL:
        assert secret not in response.text


@pytest.mark.parametrize("actor", ACTORS)
def test_personal_data_only_reaches_those_it_concerns(
    client: TestClient, session: Session, actor: str
) -> None:
    """The applicant's name, phone and address are in the dossier view only for its rightful viewers."""
    w = _world(client, session)
    response = client.get(f"/api/v1/dossiers/{w.code}", headers=w.headers[actor])
    shown = [secret in response.text for secret in (NAME, ADDRESS, "+84987654321")]
    if actor in OPERATIONS["get_dossier"].allowed:
        assert shown == [True, True, True]
    else:
        assert shown == [False, False, False]
