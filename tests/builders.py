"""Small typed builders for tests: bookings, logins, handovers."""

import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
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
from courier.planning.models import Plan, PlanStatus, RouteStop
from courier.settings import Settings

HO_CHI_MINH = Settings().zone


def booking_day() -> date:
    """A working day after today, so every slot is open."""
    return calendar.next_working_day(calendar.local_today(datetime.now(UTC), HO_CHI_MINH))


def weekend_day() -> date:
    """A Sunday after today: never a working day."""
    today = calendar.local_today(datetime.now(UTC), HO_CHI_MINH)
    return today + timedelta(days=7 - today.isoweekday() or 7)


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


SEAL = "NP-000123"
_NEEDS_FEE = {("citizen", "courier"), ("courier", "citizen")}
_COUNTERSIGNED = {("courier", "center"), ("center", "courier")}


@cache
def signature_png(size: tuple[int, int] = (400, 160)) -> bytes:
    """A signature-pad PNG: a dark stroke on a transparent background."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.line(
        [(w // 8, h // 2), (w // 3, h // 4), (w // 2, 3 * h // 4), (7 * w // 8, h // 3)],
        fill=(10, 10, 60, 255),
        width=5,
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@cache
def photo_jpeg(size: tuple[int, int] = (640, 480), orientation: int = 1) -> bytes:
    """A small camera JPEG with EXIF (orientation, GPS, camera model) to be stripped."""
    image = Image.new("RGB", size, (200, 190, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(20, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "PhoneCam 12"
    exif[0x8825] = {1: "N", 2: (10.0, 58.0, 48.0), 3: "E", 4: (106.0, 39.0, 18.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def handover_files(body: dict[str, Any]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The proof a handover of this kind needs: signature(s), and a photo for a pickup."""
    kinds = (body["giver"]["kind"], body["receiver"]["kind"])
    files = [("signature", ("signature.png", signature_png(), "image/png"))]
    if kinds in _COUNTERSIGNED:
        files.append(("counter_signature", ("counter.png", signature_png(), "image/png")))
    if kinds == ("citizen", "courier"):
        files.append(("photos", ("packet.jpg", photo_jpeg(), "image/jpeg")))
    return files


def complete_handover(client: TestClient, body: dict[str, Any], headers: dict[str, str]) -> None:
    """Fill in what the kind of handover requires: seal, fee, and a pickup's checklist."""
    kinds = (body["giver"]["kind"], body["receiver"]["kind"])
    if kinds != ("center", "citizen"):
        body.setdefault("seal_number", SEAL)
    if kinds in _NEEDS_FEE:
        body.setdefault("fees_collected_vnd", 25_000)
    if kinds == ("citizen", "courier") and "documents" not in body:
        body["documents"] = {
            code: checklist(client, code, headers) for code in body["tracking_codes"]
        }


def checklist(client: TestClient, code: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every required document of the dossier's procedure, ticked as the procedure asks."""
    dossier = client.get(f"/api/v1/dossiers/{code}", headers=headers)
    if dossier.status_code != 200:
        return [{"position": 1, "form": "original"}]
    procedure = dossier.json()["procedure_code"]
    found = client.get("/api/v1/procedures", params={"q": procedure}).json()
    docs = next(p for p in found if p["code"] == procedure)["documents"]
    return [{"position": d["position"], "form": d["form"]} for d in docs]


def post_handover(
    client: TestClient,
    body: dict[str, Any],
    headers: dict[str, str],
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    *,
    complete: bool = True,
) -> Any:
    """POST a handover as the phone does (multipart: the JSON and the proof files)."""
    if complete:
        complete_handover(client, body, headers)
    return client.post(
        "/api/v1/handovers",
        data={"handover": json.dumps(body)},
        files=handover_files(body) if files is None else files,
        headers=headers,
    )


def post_handover_ok(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    """POST a complete handover and assert it was recorded; the answer's JSON."""
    response = post_handover(client, body, headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def assigned_pickup(
    client: TestClient, *, cid: int, dispatcher: dict[str, str], courier: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """Book, assign the pickup to courier `cid`, and build its complete pickup handover body."""
    code = book(client)["tracking_code"]
    dossier = client.get(f"/api/v1/dossiers/{code}", headers=dispatcher).json()
    job = next(j["id"] for j in dossier["jobs"] if j["kind"] == "pickup")
    assign(client, dispatcher, job, cid)
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": cid}, [code])
    complete_handover(client, body, courier)
    return code, body


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
    response = post_handover(client, body, headers)
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
    post_handover_ok(client, headers, body)
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
    post_handover_ok(client, headers, body)
    post_ok(client, f"/api/v1/dossiers/{code}/depart", headers)
    return cid, headers


def status_of(client: TestClient, code: str) -> str:
    """The public status of a builders' booking."""
    status: str = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()["status"]
    return status


def make_plan_stop(
    session: Session, *, status: PlanStatus, job_id: int, courier: int, arrival: datetime
) -> Plan:
    """A plan of the booking day (published when `status` says so) whose one stop is that job,
    the courier's, arriving then."""
    published = datetime.now(UTC) if status is PlanStatus.PUBLISHED else None
    plan = Plan(service_on=booking_day(), status=status, time_limit_s=1, published_at=published)
    session.add(plan)
    session.flush()
    session.add(
        RouteStop(
            plan_id=plan.id,
            courier_id=courier,
            position=0,
            job_id=job_id,
            arrival_at=arrival,
            start_at=arrival,
            departure_at=arrival + timedelta(minutes=5),
            load_after=1,
        )
    )
    session.flush()
    return plan
