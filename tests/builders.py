"""Small typed builders for tests: bookings, logins, handovers."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier import calendar
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.catalogue.models import Site
from courier.demo import data
from courier.dossiers.models import Dossier, Job, TrackingEvent
from courier.fleet.models import Courier
from courier.handovers.models import Handover
from courier.outbox.models import OutboxMessage
from courier.settings import Settings

HO_CHI_MINH = Settings().zone


def booking_day() -> date:
    """A working day after today, so every slot is open."""
    return calendar.next_working_day(calendar.local_today(datetime.now(UTC), HO_CHI_MINH))


def booking_body(**overrides: Any) -> dict[str, Any]:
    """A valid booking near Thu Dau Mot for a branch procedure."""
    body: dict[str, Any] = {
        "applicant_name": "Nguyễn Văn An",
        "phone": "0912 345 678",
        "address_text": "12 Yersin, phường Phú Cường, Thủ Dầu Một, Bình Dương",
        "lat": 10.981,
        "lon": 106.655,
        "procedure_code": "HT-01",
        "preferred_on": booking_day().isoformat(),
        "slot": "morning",
        "result_return": "post",
        "consent": True,
        "consent_version": Settings().consent_version,
    }
    body.update(overrides)
    return body


def book(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """Book through the API and return the answer (asserting 201)."""
    response = client.post("/api/v1/bookings", json=booking_body(**overrides))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def account(role: str, index: int = 0) -> data.AccountSpec:
    """The index-th demo account with that role."""
    return [a for a in data.ACCOUNTS if a.role.value == role][index]


def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    """Authorization headers for a demo account."""
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def login_as(client: TestClient, role: str, index: int = 0) -> dict[str, str]:
    """Headers for the index-th demo account of a role."""
    spec = account(role, index)
    return login(client, spec.username, spec.password)


def courier_login(client: TestClient, session: Session, code: str) -> tuple[int, dict[str, str]]:
    """A courier's id and headers."""
    courier_id = session.scalar(select(Courier.id).where(Courier.code == code))
    assert courier_id is not None
    return courier_id, login(client, code.lower(), data.COURIER_PASSWORD)


def handover_body(
    giver: dict[str, Any], receiver: dict[str, Any], codes: list[str], **extra: Any
) -> dict[str, Any]:
    """A handover with a fresh idempotency key, at now."""
    body: dict[str, Any] = {
        "idempotency_key": uuid.uuid4().hex,
        "giver": giver,
        "receiver": receiver,
        "tracking_codes": codes,
        "device_at": datetime.now(UTC).isoformat(),
        "lat": 10.98,
        "lon": 106.65,
    }
    body.update(extra)
    return body


def headers_for(session: Session, username: str) -> dict[str, str]:
    """Bearer headers for an account, signed directly (no Argon2 login: keeps the suite fast)."""
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None, username
    return {"Authorization": f"Bearer {accounts.issue_token(user, Settings())}"}


def courier_id(session: Session, code: str) -> int:
    """The id of a demo courier."""
    found = session.scalar(select(Courier.id).where(Courier.code == code))
    assert found is not None
    return found


def site_id(session: Session, code: str) -> int:
    """The id of a demo site."""
    found = session.scalar(select(Site.id).where(Site.code == code))
    assert found is not None
    return found


def counts(session: Session) -> dict[str, int]:
    """How many dossiers, jobs, tracking events, handovers and outbox messages are stored."""
    session.expire_all()
    models = (Dossier, Job, TrackingEvent, Handover, OutboxMessage)
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in models
    }


def find_job(client: TestClient, headers: dict[str, str], code: str, leg: str, kind: str) -> int:
    """The id of a dossier's job, as its dossier view shows it."""
    dossier = client.get(f"/api/v1/dossiers/{code}", headers=headers).json()
    return int(next(j["id"] for j in dossier["jobs"] if j["leg"] == leg and j["kind"] == kind))


def assign(
    client: TestClient, dispatcher: dict[str, str], job_id: int, courier: int
) -> list[dict[str, Any]]:
    """Assign a job's pair to a courier (asserting 200)."""
    response = client.post(
        f"/api/v1/jobs/{job_id}/assign", json={"courier_id": courier}, headers=dispatcher
    )
    assert response.status_code == 200, response.text
    pair: list[dict[str, Any]] = response.json()
    return pair


def pick_up(
    client: TestClient, session: Session, code: str, courier: str = "BD-CR-TDM-01"
) -> tuple[int, dict[str, str]]:
    """Assign the inbound pair to a courier who then takes the dossier; its id and headers."""
    dispatcher = headers_for(session, "dispatch.tdm")
    cid = courier_id(session, courier)
    assign(client, dispatcher, find_job(client, dispatcher, code, "inbound", "pickup"), cid)
    headers = headers_for(session, courier.lower())
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": cid}, [code])
    response = client.post("/api/v1/handovers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return cid, headers


STAFF_TDM = "center.tdm"  # counter clerk of the branch receiving the builders' bookings


def post_ok(client: TestClient, url: str, headers: dict[str, str], body: Any = None) -> Any:
    """POST and assert success; the answer's JSON."""
    response = client.post(url, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def to_center(
    client: TestClient, session: Session, codes: list[str], courier: str = "BD-CR-TDM-01"
) -> tuple[int, dict[str, str]]:
    """Pick each dossier up with one courier and hand them all in at BD-TDM (received)."""
    for code in codes:
        cid, headers = pick_up(client, session, code, courier)
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    body = handover_body({"kind": "courier", "id": cid}, center, codes)
    post_ok(client, "/api/v1/handovers", headers, body)
    return cid, headers


def to_out_for_delivery(
    client: TestClient, session: Session, code: str, courier: str = "BD-CR-TDM-01"
) -> tuple[int, dict[str, str]]:
    """Take a post-return dossier to out-for-delivery with one courier; its id and headers."""
    cid, headers = to_center(client, session, [code], courier)
    staff = headers_for(session, STAFF_TDM)
    post_ok(client, f"/api/v1/dossiers/{code}/result-ready", staff)
    dispatcher = headers_for(session, "dispatch.tdm")
    assign(client, dispatcher, find_job(client, dispatcher, code, "return", "pickup"), cid)
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    body = handover_body(center, {"kind": "courier", "id": cid}, [code])
    post_ok(client, "/api/v1/handovers", headers, body)
    post_ok(client, f"/api/v1/dossiers/{code}/depart", headers)
    return cid, headers


def status_of(client: TestClient, code: str) -> str:
    """The public status of a builders' booking."""
    status: str = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()["status"]
    return status
