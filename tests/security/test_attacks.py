"""Attacks tried against the service, as a table of attempts and outcomes (issue 14).

Each row of ATTACKS is named (the name is the test's id, so a regression shows by name) and has:

- `attempt`: the request(s) the attacker makes against the world (`tests.security.world`), the
  last answer returned for judging;
- `status`: the status code(s) that answer must have;
- `changes`: False when the stored state must be the same afterwards (dossiers, jobs, accounts,
  keys, plans, row counts, stored files: `World.snapshot`, taken after what the attempt arranges
  for itself, such as deactivating the account whose token it then presents);
- `hidden`: what the answer must not hold (by default the victim's name, address and phone);
- `check`: a further outcome, when there is one (the answer of an unknown code word for word, a
  header, a lock that holds).

The world is made once per module and backend; each row runs in a savepoint rolled back after it,
so rows do not see each other's effects.
"""

import base64
import hashlib
import hmac
import io
import json
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api import grants
from api.main import create_app
from courier import runtime
from courier.accounts import revocation
from courier.accounts.models import User
from courier.dossiers.models import Dossier
from courier.handovers.models import HandoverItem
from courier.notifications.models import Notification
from courier.proofs.kinds import ProofRole
from courier.settings import Settings
from tests.api.center_staff import ORIGIN, as_staff
from tests.builders import (
    booking_body,
    courier_id,
    handover_body,
    photo_jpeg,
    post_handover,
    signature_png,
    site_id,
)
from tests.conftest import joined_sessions, rolled_back, suite_settings
from tests.security.world import (
    ADDRESS,
    NAME,
    OTHER_CITIZEN,
    PERSONAL,
    PHONE,
    SUFFIX,
    UNKNOWN,
    World,
    build,
)

Attempt = Callable[[World], Response]
Check = Callable[[World, Response], None]
HUGE = 2**63
MONTH = {"from": "2026-06-01", "to": "2026-06-30"}
LOOPBACK = ("127.0.0.1", 50000)
UPLOAD_MAX = 200_000  # the module's limit on one uploaded file, so an oversized one is small


@dataclass(frozen=True)
class Attack:
    """One attempt and the outcome it must have."""

    attempt: Attempt
    status: int | tuple[int, ...]
    changes: bool = False
    hidden: tuple[str, ...] = PERSONAL
    check: Check | None = None


# --- forged, expired and withdrawn credentials -------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(w: World, username: str, **overrides: Any) -> dict[str, Any]:
    user = w.session.scalars(select(User).where(User.username == username)).one()
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, Any] = {"sub": str(user.id), "role": user.role.value, "iat": now}
    claims |= {"exp": now + 900, **overrides}
    return {k: v for k, v in claims.items() if v is not None}


def _token(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """A JWT as an attacker assembles it: any header, any claims, HMAC-SHA256 under any secret
    (or no signature at all)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


HS256 = {"alg": "HS256", "typ": "JWT"}


def _owner_reads(headers: Callable[[World], dict[str, str]]) -> Attempt:
    """GET the victim's dossier as its owner would, with the attacker's credentials."""

    def attempt(w: World) -> Response:
        return w.client.get(f"/api/v1/dossiers/{w.victim}", headers=headers(w))

    return attempt


def _bearer(token: Callable[[World], str]) -> Attempt:
    return _owner_reads(lambda w: {"Authorization": f"Bearer {token(w)}"})


def _secret(w: World) -> bytes:
    return w.settings.secret_key.encode()


def _tampered(w: World) -> str:
    """citizen.binh's genuine token, its payload rewritten to name citizen.an."""
    genuine = w.as_(OTHER_CITIZEN[0])["Authorization"].removeprefix("Bearer ")
    header, _, signature = genuine.split(".")
    payload = _b64(json.dumps(_claims(w, "citizen.an")).encode())
    return f"{header}.{payload}.{signature}"


def _public_key_as_secret(w: World) -> str:
    """HS/RS confusion: HMAC keyed with the published (Ed25519) custody key, as a verifier that
    took the public key for the shared secret would accept."""
    pem = w.client.get("/api/v1/custody/public-key").json()["public_key_pem"]
    return _token(HS256, _claims(w, "citizen.an"), pem.encode())


def _deactivated(w: World) -> dict[str, str]:
    headers = w.as_("citizen.an")
    revocation.deactivate_user(w.session, "citizen.an")
    w.session.commit()
    w.snapshot_before = w.snapshot()
    return headers


def _revoked_key(w: World) -> dict[str, str]:
    secret = w.keys["site_x"]
    revocation.revoke_api_key(w.session, secret.split("_")[1])
    w.session.commit()
    w.snapshot_before = w.snapshot()
    return {"X-API-Key": secret}


def _refused_as_unauthenticated(w: World, answer: Response) -> None:
    assert answer.headers.get("www-authenticate") == "Bearer"


CREDENTIALS = {
    "jwt_alg_none": Attack(
        _bearer(lambda w: _token({"alg": "none", "typ": "JWT"}, _claims(w, "citizen.an"), None)),
        401,
        check=_refused_as_unauthenticated,
    ),
    "jwt_signed_with_another_key": Attack(
        _bearer(lambda w: _token(HS256, _claims(w, "citizen.an"), b"another-deployments-secret")),
        401,
    ),
    "jwt_hs256_keyed_with_the_public_custody_key": Attack(_bearer(_public_key_as_secret), 401),
    "jwt_tampered_payload": Attack(_bearer(_tampered), 401),
    "jwt_expired": Attack(
        _bearer(lambda w: _token(HS256, _claims(w, "citizen.an", exp=1_700_000_000), _secret(w))),
        401,
    ),
    "jwt_without_expiry": Attack(
        _bearer(lambda w: _token(HS256, _claims(w, "citizen.an", exp=None), _secret(w))), 401
    ),
    "jwt_subject_not_a_number": Attack(
        _bearer(lambda w: _token(HS256, _claims(w, "citizen.an", sub="1 OR 1=1"), _secret(w))),
        401,
    ),
    "jwt_subject_past_the_ids": Attack(
        _bearer(lambda w: _token(HS256, _claims(w, "citizen.an", sub=str(HUGE)), _secret(w))),
        401,
    ),
    "token_of_a_deactivated_user": Attack(_owner_reads(_deactivated), 401),
    "revoked_api_key": Attack(_owner_reads(_revoked_key), 401),
    "api_key_with_a_wrong_secret": Attack(
        _owner_reads(lambda w: {"X-API-Key": w.keys["site_x"][:-4] + "AAAA"}), 401
    ),
    "bad_token_on_an_anonymous_endpoint": Attack(
        lambda w: w.client.post(
            "/api/v1/bookings",
            json=booking_body(),
            headers={"Authorization": f"Bearer {_tampered(w)}"},
        ),
        401,
    ),
}


# --- another office's, another site's, another citizen's --------------------------------------


def _get(path: str, who: str, **params: Any) -> Attempt:
    """GET a path formatted with the world (victim, received, plan, job, handover, proof)."""

    def attempt(w: World) -> Response:
        fields = {"victim": w.victim, "received": w.received, "plan": w.plan}
        if "{job}" in path:
            fields["job"] = w.job()
        if "{handover}" in path:
            fields["handover"] = w.handover()
        if "{photo}" in path:
            fields["photo"] = w.proof(ProofRole.PHOTO)
        if "{proof}" in path:
            fields["proof"] = w.proof()
        if "{courier}" in path:
            fields["courier"] = courier_id(w.session, "BD-CR-TDM-01")
        return w.client.get(path.format(**fields), params=params, headers=w.as_(who))

    return attempt


def _post(path: str, who: str, body: Callable[[World], Any] | None = None) -> Attempt:
    def attempt(w: World) -> Response:
        url = path.format(victim=w.victim, received=w.received, plan=w.plan, job=w.job())
        return w.client.post(url, json=body(w) if body else None, headers=w.as_(who))

    return attempt


def _not_listed(code: Callable[[World], str]) -> Check:
    def check(w: World, answer: Response) -> None:
        assert code(w) not in answer.text

    return check


def _hands_in(code: Callable[[World], str]) -> Attempt:
    """Di An's courier hands the dossier in at its center as if they carried it."""

    def attempt(w: World) -> Response:
        stranger = courier_id(w.session, "BD-CR-DA-01")
        center = {"kind": "center", "id": site_id(w.session, "BD-TDM")}
        body = handover_body({"kind": "courier", "id": stranger}, center, [code(w)])
        answer: Response = post_handover(w.client, body, w.as_("bd-cr-da-01"))
        return answer

    return attempt


def _like_an_unknown_code(w: World, answer: Response) -> None:
    """The answer is the unknown code's word for word: not that it exists, where or with whom."""
    unknown = _hands_in(lambda _: UNKNOWN)(w)
    assert answer.text.replace(w.victim, UNKNOWN) == unknown.text
    assert answer.status_code == unknown.status_code


def _counter_check(who: str, code: Callable[[World], str]) -> Attempt:
    def attempt(w: World) -> Response:
        as_staff(w.client, w.session, who)
        return w.client.get("/center/counter/check", params={"code": code(w)})

    return attempt


def _counter_like_unknown(w: World, answer: Response) -> None:
    unknown = w.client.get("/center/counter/check", params={"code": UNKNOWN})
    assert answer.json()["detail"] == unknown.json()["detail"].replace(UNKNOWN, w.received)


def _assign_to(courier: str) -> Callable[[World], dict[str, int]]:
    return lambda w: {"courier_id": courier_id(w.session, courier)}


ACCESS = {
    # a courier of office B on office A's dossier, job, handover, proof and failed attempts
    "courier_of_office_b_reads_office_a_dossier": Attack(
        _get("/api/v1/dossiers/{victim}", "bd-cr-da-01"), (403, 404)
    ),
    "courier_of_office_b_reads_office_a_job": Attack(
        _get("/api/v1/jobs/{job}", "bd-cr-da-01"), (403, 404)
    ),
    "courier_of_office_b_lists_jobs": Attack(
        _get("/api/v1/jobs", "bd-cr-da-01"), 200, check=_not_listed(lambda w: w.victim)
    ),
    "courier_of_office_b_reads_office_a_handover": Attack(
        _get("/api/v1/handovers/{handover}", "bd-cr-da-01"), (403, 404)
    ),
    "courier_of_office_b_reads_office_a_signature": Attack(
        _get("/api/v1/handovers/{handover}/proofs/{proof}", "bd-cr-da-01"), (403, 404)
    ),
    "courier_of_office_b_reads_office_a_receipt": Attack(
        _get("/api/v1/handovers/{handover}/receipt.pdf", "bd-cr-da-01"), (403, 404)
    ),
    "courier_of_office_b_fails_office_a_job": Attack(
        _post("/api/v1/jobs/{job}/attempts", "bd-cr-da-01", lambda w: {"reason": "not_home"}),
        (403, 404),
    ),
    "courier_of_office_b_hands_in_office_a_dossier": Attack(
        _hands_in(lambda w: w.victim), 404, check=_like_an_unknown_code
    ),
    "courier_of_office_b_reads_office_a_plan": Attack(
        _get("/api/v1/plans/{plan}", "bd-cr-da-01"), (403, 404)
    ),
    "courier_of_office_a_reads_a_route_not_theirs": Attack(
        _get("/api/v1/couriers/me/route", "bd-cr-tdm-02"),
        200,
        check=_not_listed(lambda w: w.victim),
    ),
    # the dispatcher of office B
    "dispatcher_of_office_b_reads_office_a_dossier": Attack(
        _get("/api/v1/dossiers/{victim}", "dispatch.da"), (403, 404)
    ),
    "dispatcher_of_office_b_assigns_office_a_job": Attack(
        _post("/api/v1/jobs/{job}/assign", "dispatch.da", _assign_to("BD-CR-DA-01")), (403, 404)
    ),
    "dispatcher_of_office_b_reads_office_a_plan": Attack(
        _get("/api/v1/plans/{plan}", "dispatch.da"), (403, 404)
    ),
    "dispatcher_of_office_b_prints_office_a_route_sheet": Attack(
        _get("/api/v1/plans/{plan}/sheets/{courier}.pdf", "dispatch.da"), (403, 404)
    ),
    "dispatcher_of_office_b_publishes_office_a_plan": Attack(
        _post("/api/v1/plans/{plan}/publish", "dispatch.da"), (403, 404)
    ),
    "dispatcher_of_office_b_lists_office_a_dossiers": Attack(
        _get("/api/v1/dossiers", "dispatch.da", post_office="BD-PO-TDM-1"),
        200,
        check=_not_listed(lambda w: w.victim),
    ),
    "dispatcher_of_office_b_reads_office_a_handover": Attack(
        _get("/api/v1/handovers/{handover}", "dispatch.da"), (403, 404)
    ),
    # center staff, and a center's system, of site Y on site X's dossiers, stats and counter
    "staff_of_site_y_reads_site_x_dossier": Attack(
        _get("/api/v1/dossiers/{received}", "center.thuanan"), (403, 404), hidden=()
    ),
    "staff_of_site_y_marks_site_x_result_ready": Attack(
        _post("/api/v1/dossiers/{received}/result-ready", "center.thuanan"), (403, 404)
    ),
    "staff_of_site_y_lists_site_x_dossiers": Attack(
        _get("/api/v1/dossiers", "center.thuanan", site="BD-TDM"),
        200,
        check=_not_listed(lambda w: w.received),
    ),
    "staff_of_site_y_exports_site_x_dossiers": Attack(
        _get("/api/v1/dossiers.csv", "center.thuanan", site="BD-TDM"),
        200,
        check=_not_listed(lambda w: w.received),
    ),
    "staff_of_site_y_reads_site_x_stats": Attack(
        _get("/api/v1/stats/sites/BD-TDM", "center.thuanan", **MONTH), (403, 404)
    ),
    "staff_of_site_y_reads_site_x_report": Attack(
        lambda w: as_staff(w.client, w.session, "center.thuanan").get(
            "/center/report", params={"site": "BD-TDM", **MONTH}
        ),
        404,
    ),
    "staff_of_site_y_checks_site_x_dossier_at_the_counter": Attack(
        _counter_check("center.thuanan", lambda w: w.received),
        404,
        check=_counter_like_unknown,
    ),
    "staff_of_site_y_marks_processing_on_the_day_page": Attack(
        lambda w: as_staff(w.client, w.session, "center.thuanan").post(
            f"/center/dossiers/{w.received}/processing",
            data={},
            headers=ORIGIN,
            follow_redirects=False,
        ),
        404,
    ),
    "system_of_site_y_reads_site_x_dossier": Attack(
        _get("/api/v1/dossiers/{received}", "key:site_y"), (403, 404)
    ),
    "system_of_site_y_reads_site_x_stats": Attack(
        _get("/api/v1/stats/sites/BD-TDM", "key:site_y", **MONTH), (403, 404)
    ),
    # citizens
    "another_citizen_reads_the_dossier": Attack(
        _get("/api/v1/dossiers/{victim}", OTHER_CITIZEN[0]), (403, 404)
    ),
    "another_citizen_reads_the_pickup_receipt": Attack(
        _get("/api/v1/handovers/{handover}/receipt.pdf", OTHER_CITIZEN[0]), (403, 404)
    ),
    "another_citizen_lists_their_dossiers": Attack(
        _get("/api/v1/me/dossiers", OTHER_CITIZEN[0]), 200, check=_not_listed(lambda w: w.victim)
    ),
    "anonymous_reads_the_dossier": Attack(_get("/api/v1/dossiers/{victim}", "anonymous"), 401),
    # a handover's images are its parties' and admins', not the staff it merely concerns
    "dispatcher_of_the_office_reads_the_citizens_signature": Attack(
        _get("/api/v1/handovers/{handover}/proofs/{proof}", "dispatch.tdm"), 403
    ),
    "staff_of_the_receiving_site_reads_the_pickup_photo": Attack(
        _get("/api/v1/handovers/{handover}/proofs/{photo}", "center.tdm"), 403
    ),
    "system_of_the_receiving_site_reads_the_pickup_receipt": Attack(
        _get("/api/v1/handovers/{handover}/receipt.png", "key:site_x"), 403
    ),
    "another_courier_of_office_a_reads_the_signature": Attack(
        _get("/api/v1/handovers/{handover}/proofs/{proof}", "bd-cr-tdm-02"), (403, 404)
    ),
}


# --- paths and files ---------------------------------------------------------------------------


def _no_file_content(w: World, answer: Response) -> None:
    for leaked in ("root:", "[project]", "secret_key", "BEGIN PRIVATE KEY"):
        assert leaked not in answer.text


def _raw_get(path: str, who: str = "admin") -> Attempt:
    """GET a raw path, as sent (dot segments and escapes kept)."""

    def attempt(w: World) -> Response:
        url = path.format(handover=w.handover())
        return w.client.get(url, headers=w.as_(who))

    return attempt


def _redirects_home(w: World, answer: Response) -> None:
    assert answer.headers["location"] == "/"


def _lang_cookie(value: str) -> Attempt:
    def attempt(w: World) -> Response:
        w.client.cookies.set("lang", value)
        return w.client.get("/")

    return attempt


def _in_vietnamese(w: World, answer: Response) -> None:
    assert answer.headers["content-language"] == "vi"
    _no_file_content(w, answer)


PATHS = {
    "proof_id_with_dot_segments": Attack(
        _raw_get("/api/v1/handovers/{handover}/proofs/..%2F..%2F..%2Fetc%2Fpasswd"),
        (404, 422),
        check=_no_file_content,
    ),
    "receipt_name_with_dot_segments": Attack(
        _raw_get("/api/v1/handovers/{handover}/receipt.pdf%2F..%2F..%2Fsettings.py"),
        (404, 422),
        check=_no_file_content,
    ),
    "static_file_with_dot_segments": Attack(
        _raw_get("/static/..%2F..%2Fpyproject.toml"), 404, check=_no_file_content
    ),
    "static_file_with_an_encoded_absolute_path": Attack(
        _raw_get("/static/%2Fetc%2Fpasswd"), 404, check=_no_file_content
    ),
    "vendored_library_with_dot_segments": Attack(
        _raw_get("/static/vendor/leaflet/..%2F..%2F..%2F..%2Fcourier%2Fsettings.py"),
        404,
        check=_no_file_content,
    ),
    "language_path_with_dot_segments": Attack(
        _raw_get("/lang/..%2F..%2Fetc%2Fpasswd"), (404, 422), check=_no_file_content
    ),
    "language_cookie_naming_a_file": Attack(
        _lang_cookie("../../../../etc/passwd"), 200, check=_in_vietnamese
    ),
    "language_switch_redirecting_off_site": Attack(
        lambda w: w.client.get(
            "/lang/en", params={"next": "//evil.example/"}, follow_redirects=False
        ),
        303,
        check=_redirects_home,
    ),
    "language_switch_redirecting_with_a_backslash": Attack(
        lambda w: w.client.get(
            "/lang/en", params={"next": "/\\evil.example/"}, follow_redirects=False
        ),
        303,
        check=_redirects_home,
    ),
}


# --- uploads -----------------------------------------------------------------------------------


def _pickup_upload(files: Callable[[], list[tuple[str, tuple[str, bytes, str]]]]) -> Attempt:
    """A complete pickup of a fresh dossier by its courier, with the attacker's files."""

    def attempt(w: World) -> Response:
        code = w.client.post("/api/v1/bookings", json=booking_body()).json()["tracking_code"]
        cid = courier_id(w.session, "BD-CR-TDM-01")
        job = w.job(code)
        w.client.post(
            f"/api/v1/jobs/{job}/assign", json={"courier_id": cid}, headers=w.as_("dispatch.tdm")
        )
        w.session.commit()
        w.snapshot_before = w.snapshot()
        body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": cid}, [code])
        answer: Response = post_handover(w.client, body, w.as_("bd-cr-tdm-01"), files())
        return answer

    return attempt


def _png(width: int, height: int, rows: bytes) -> bytes:
    """A grey PNG of that size whose compressed pixel rows are `rows` (however few)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(rows, 9))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


@cache
def bomb() -> bytes:
    """A real decompression bomb: 10,000 x 10,000 pixels, 100 MB of zeros in about 100 KB (under
    the upload limit: only the pixel count refuses it)."""
    return _png(10_000, 10_000, b"\0" * (10_001 * 10_000))


def _with_photo(photo: bytes, name: str = "p.jpg", kind: str = "image/jpeg") -> Callable[[], Any]:
    return lambda: [
        ("signature", ("s.png", signature_png(), "image/png")),
        ("photos", (name, photo, kind)),
    ]


def _with_signature(signature: bytes) -> Callable[[], Any]:
    return lambda: [
        ("signature", ("s.png", signature, "image/png")),
        ("photos", ("p.jpg", photo_jpeg(), "image/jpeg")),
    ]


def _zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
PNG_ZIP = signature_png() + _zip_of("evil.html", HTML)
JPEG_HTML = photo_jpeg() + HTML
ZIP_BOMB = _zip_of("bomb.csv", b"0" * 50_000_000)  # 50 MB of zeros in about 50 KB


def _stored_images_are_clean(w: World, answer: Response) -> None:
    """The polyglot was re-encoded: what is served back is an image with nothing appended."""
    courier = w.as_("bd-cr-tdm-01")
    for proof in answer.json()["proofs"]:
        served = w.client.get(proof["url"], headers=courier)
        assert served.headers["content-type"] in ("image/png", "image/jpeg")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert b"PK\x03\x04" not in served.content
        assert b"<script" not in served.content


def _batch_file(content: bytes, name: str, kind: str) -> Attempt:
    def attempt(w: World) -> Response:
        return w.client.post(
            "/api/v1/bookings/csv",
            data={"consent": "true", "consent_version": w.settings.consent_version},
            files={"file": (name, content, kind)},
            headers=w.as_("enterprise.minhphat"),
        )

    return attempt


UPLOADS = {
    "decompression_bomb_photo": Attack(
        _pickup_upload(lambda: _with_photo(bomb(), "bomb.png", "image/png")()), 422
    ),
    "decompression_bomb_signature": Attack(_pickup_upload(lambda: _with_signature(bomb())()), 422),
    "photo_header_claiming_900_megapixels": Attack(
        _pickup_upload(_with_photo(_png(30_000, 30_000, b"\0" * 1024), "bomb.png", "image/png")),
        422,
    ),
    "oversized_photo": Attack(_pickup_upload(_with_photo(photo_jpeg() + b"\0" * UPLOAD_MAX)), 413),
    "html_sent_as_a_photo": Attack(_pickup_upload(_with_photo(HTML)), 422),
    "zip_sent_as_a_photo": Attack(_pickup_upload(_with_photo(_zip_of("a.jpg", b"x"))), 422),
    "png_zip_polyglot_signature_and_jpeg_html_polyglot_photo": Attack(
        _pickup_upload(
            lambda: [
                ("signature", ("s.png", PNG_ZIP, "image/png")),
                ("photos", ("p.jpg", JPEG_HTML, "image/jpeg")),
            ]
        ),
        201,
        changes=True,
        check=_stored_images_are_clean,
    ),
    "zip_bomb_as_a_batch_file": Attack(
        _batch_file(ZIP_BOMB, "bookings.csv", "text/csv"), (413, 415, 422)
    ),
}


# --- mass assignment ---------------------------------------------------------------------------


def _booking_with(**extra: Any) -> Attempt:
    def attempt(w: World) -> Response:
        body = {**booking_body(applicant_name="Đặng Văn Mới"), **extra}
        return w.client.post("/api/v1/bookings", json=body)

    return attempt


def _booked_as_anyone(w: World, answer: Response) -> None:
    """Refused, or booked as any other anonymous booking: the extra fields had no effect."""
    if answer.status_code == 422:
        return
    made = answer.json()
    assert made["status"] == "booked"
    assert made["tracking_code"] not in (w.victim, "HS000000001VN")
    dossier = w.client.get(
        f"/api/v1/dossiers/{made['tracking_code']}", headers=w.as_("admin")
    ).json()
    assert dossier["status"] == "booked"
    assert dossier["receiving_site_code"] != "BD-TA"


def _assign_with(**extra: Any) -> Attempt:
    def attempt(w: World) -> Response:
        body = {"courier_id": courier_id(w.session, "BD-CR-TDM-01"), **extra}
        return w.client.post(
            f"/api/v1/jobs/{w.job()}/assign", json=body, headers=w.as_("dispatch.tdm")
        )

    return attempt


def _assigned_only(w: World, answer: Response) -> None:
    """The job keeps its status and dossier; the victim's dossier is still with its courier."""
    if answer.status_code == 422:
        return
    job = w.client.get(f"/api/v1/jobs/{w.job()}", headers=w.as_("admin")).json()
    assert job["status"] != "done"
    assert job["tracking_code"] == w.victim


def _device_with(**extra: Any) -> Attempt:
    def attempt(w: World) -> Response:
        form = {"username": OTHER_CITIZEN[0], "password": OTHER_CITIZEN[1], **extra}
        return w.client.post("/api/v1/auth/token", data=form)

    return attempt


def _still_a_citizen(w: World, answer: Response) -> None:
    token = answer.json()["access_token"]
    refused = w.client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403


MASS_ASSIGNMENT = {
    "booking_with_status_owner_site_and_id": Attack(
        _booking_with(
            status="delivered",
            owner_id=1,
            id=1,
            tracking_code="HS000000001VN",
            receiving_site_id=2,
            receiving_site_code="BD-TA",
            post_office_id=99,
            service_fee_vnd=0,
            holder_kind="center",
        ),
        (201, 422),
        changes=True,
        check=_booked_as_anyone,
    ),
    "assignment_with_status_and_dossier": Attack(
        _assign_with(status="done", dossier_id=1, leg="return", attempts=0),
        (200, 422),
        changes=True,
        check=_assigned_only,
    ),
    "token_request_asking_for_the_admin_role": Attack(
        _device_with(scope="admin", role="admin", grant_type="password"),
        200,
        changes=True,
        hidden=(),
        check=_still_a_citizen,
    ),
}


# --- guessing ----------------------------------------------------------------------------------


def _track(w: World, code: str, phone: str, **headers: str) -> Response:
    return w.client.post(f"/api/v1/track/{code}", json={"phone": phone}, headers=headers)


def _guess_suffixes(forwarded: bool) -> Attempt:
    """Five wrong suffixes of the victim's code (from addresses named in X-Forwarded-For, if
    so), then the right one."""

    def attempt(w: World) -> Response:
        for n in range(5):
            spoof = {"X-Forwarded-For": f"198.51.100.{n}"} if forwarded else {}
            assert _track(w, w.victim, f"000{n}", **spoof).status_code == 404
        spoof = {"X-Forwarded-For": "203.0.113.9"} if forwarded else {}
        return _track(w, w.victim, SUFFIX, **spoof)

    return attempt


def _locked(w: World, answer: Response) -> None:
    assert int(answer.headers["Retry-After"]) > 0
    assert "events" not in answer.text


def _wrong_suffix(w: World) -> Response:
    return _track(w, w.victim, "0000")


def _same_as_unknown_code(w: World, answer: Response) -> None:
    """A wrong suffix on a real code reads exactly as any suffix on an unknown code."""
    unknown = _track(w, UNKNOWN, SUFFIX)
    assert (answer.status_code, answer.content) == (unknown.status_code, unknown.content)


def _guess_password(w: World) -> Response:
    form = {"username": "admin", "password": "wrong-guess"}
    for _ in range(5):
        assert w.client.post("/api/v1/auth/token", data=form).status_code == 401
    right = {"username": "admin", "password": "demo-admin-2026"}
    return w.client.post("/api/v1/auth/token", data=right)


def _no_token(w: World, answer: Response) -> None:
    assert "access_token" not in answer.text
    assert int(answer.headers["Retry-After"]) > 0


GUESSING = {
    "tracking_suffix_brute_force": Attack(
        _guess_suffixes(forwarded=False), 429, changes=True, check=_locked
    ),
    "tracking_suffix_brute_force_behind_spoofed_x_forwarded_for": Attack(
        _guess_suffixes(forwarded=True), 429, changes=True, check=_locked
    ),
    "tracking_wrong_suffix_answers_like_an_unknown_code": Attack(
        _wrong_suffix, 404, changes=True, check=_same_as_unknown_code
    ),
    "token_endpoint_password_guessing": Attack(
        _guess_password, 429, changes=True, hidden=(), check=_no_token
    ),
}


# --- out-of-range input ------------------------------------------------------------------------


def _raw_booking(replace_from: str, replace_to: str) -> Attempt:
    def attempt(w: World) -> Response:
        raw = json.dumps(booking_body()).replace(replace_from, replace_to)
        headers = {"Content-Type": "application/json"}
        return w.client.post("/api/v1/bookings", content=raw, headers=headers)

    return attempt


def _postpone_to(day: str) -> Attempt:
    def attempt(w: World) -> Response:
        body = {"new_due_on": day, "reason": "additional_verification"}
        url = f"/api/v1/dossiers/{w.received}/postpone"
        return w.client.post(url, json=body, headers=w.as_("center.tdm"))

    return attempt


INPUTS = {
    "id_of_2_pow_63_in_a_path": Attack(_raw_get(f"/api/v1/handovers/{HUGE}"), 422),
    "negative_id_in_a_path": Attack(_raw_get("/api/v1/jobs/-1", "dispatch.tdm"), (404, 422)),
    "id_of_2_pow_63_in_a_body": Attack(
        _post("/api/v1/jobs/{job}/assign", "dispatch.tdm", lambda w: {"courier_id": HUGE}), 422
    ),
    "nan_coordinate": Attack(_raw_booking('"lat": 10.981', '"lat": NaN'), 422),
    "infinite_coordinate": Attack(_raw_booking('"lon": 106.655', '"lon": -Infinity'), 422),
    "booking_in_year_9999": Attack(
        lambda w: w.client.post("/api/v1/bookings", json=booking_body(preferred_on="9999-12-31")),
        422,
    ),
    "booking_in_2099": Attack(
        lambda w: w.client.post("/api/v1/bookings", json=booking_body(preferred_on="2099-01-05")),
        422,
    ),
    "postponement_to_year_9999": Attack(_postpone_to("9999-12-31"), 422),
    "statistics_from_year_1": Attack(
        _get("/api/v1/stats/sites", "admin", **{"from": "0001-01-01", "to": "9999-12-31"}),
        (200, 422),
    ),
    "plan_for_year_9999": Attack(
        lambda w: w.client.post(
            "/api/v1/plans", json={"service_on": "9999-12-31"}, headers=w.as_("dispatch.tdm")
        ),
        422,
    ),
}


# --- what answers hold and say -----------------------------------------------------------------


def _no_store(w: World, answer: Response) -> None:
    assert answer.headers.get("cache-control") == "no-store"


def _personal_read(path: str, who: str) -> Attack:
    """A rightful read of personal data: 200, never stored by a cache."""
    return Attack(_get(path, who), 200, hidden=(), check=_no_store)


def _refused_booking(**fields: Any) -> Attempt:
    def attempt(w: World) -> Response:
        body = booking_body(applicant_name=NAME, address_text=ADDRESS, **fields)
        return w.client.post("/api/v1/bookings", json=body)

    return attempt


def _no_pydantic_input(w: World, answer: Response) -> None:
    assert all("input" not in problem for problem in answer.json()["detail"])


ANSWERS = {
    "dossier_json_cached": _personal_read("/api/v1/dossiers/{victim}", "citizen.an"),
    "jobs_json_cached": _personal_read("/api/v1/jobs", "bd-cr-tdm-01"),
    "couriers_json_cached": _personal_read("/api/v1/couriers", "dispatch.tdm"),
    "handover_json_cached": _personal_read("/api/v1/handovers/{handover}", "bd-cr-tdm-01"),
    "route_json_cached": _personal_read("/api/v1/couriers/me/route", "bd-cr-tdm-01"),
    "my_dossiers_json_cached": _personal_read("/api/v1/me/dossiers", "citizen.an"),
    "timeline_json_cached": Attack(
        lambda w: _track(w, w.victim, SUFFIX), 200, hidden=(), check=_no_store
    ),
    "signature_image_cached": Attack(
        _get("/api/v1/handovers/{handover}/proofs/{proof}", "citizen.an"),
        200,
        hidden=(),
        check=lambda w, a: _private_cache(a),
    ),
    "refused_booking_echoes_name_and_phone": Attack(
        _refused_booking(phone="0987 654 32X"),
        422,
        hidden=(*PERSONAL, "654 32X"),
        check=_no_pydantic_input,
    ),
    "refused_booking_echoes_a_long_name": Attack(
        lambda w: w.client.post(
            "/api/v1/bookings", json=booking_body(applicant_name=NAME * 40, phone=PHONE)
        ),
        422,
        check=_no_pydantic_input,
    ),
    "refused_tracking_echoes_the_phone": Attack(
        lambda w: _track(w, w.victim, "0987654321"), 422, hidden=("0987654321",)
    ),
}


def _private_cache(answer: Response) -> None:
    assert answer.headers.get("cache-control") in ("no-store", "private, no-store")


# --- personal data: the access log, a citizen's copy and erasure ------------------------------


def _victim(w: World) -> Dossier:
    return w.session.scalars(select(Dossier).where(Dossier.tracking_code == w.victim)).one()


def _links(w: World) -> list[Notification]:
    """The SMS with a link to the victim's copy."""
    w.session.expire_all()
    query = select(Notification).where(
        Notification.dossier_id == _victim(w).id, Notification.tracking_event_id.is_(None)
    )
    return list(w.session.scalars(query))


def _link_sent_to_the_victim(w: World, answer: Response) -> None:
    assert answer.json() == {"sent_to": "…" + SUFFIX}
    assert [n.recipient for n in _links(w)] == [_victim(w).applicant_phone]


def _four_copy_links(w: World) -> Response:
    for _ in range(3):
        w.client.post(f"/api/v1/track/{w.victim}/data", json={"phone": SUFFIX})
    return w.client.post(f"/api/v1/track/{w.victim}/data", json={"phone": SUFFIX})


def _three_links_sent(w: World, answer: Response) -> None:
    assert len(_links(w)) == 3


def _forged_link(w: World) -> str:
    """The victim's link signed with a secret the attacker chose."""
    forged = w.settings.model_copy(update={"secret_key": "attacker-chosen-secret-" * 2})
    return grants.copy_token(forged, _victim(w))


def _expired_link(w: World) -> str:
    """A genuine link to the victim's copy, made 31 minutes ago."""
    return grants.copy_token(w.settings, _victim(w), now=time.time() - 31 * 60)


def _anothers_link(w: World) -> str:
    """A genuine, live link to the received dossier's copy, used on the victim's code."""
    received = select(Dossier).where(Dossier.tracking_code == w.received)
    return grants.copy_token(w.settings, w.session.scalars(received).one())


def _copy_with(token: Callable[[World], str], ext: str = "") -> Attempt:
    return lambda w: w.client.get(f"/api/v1/track/{w.victim}/copy/{token(w)}{ext}")


def _like_an_unknown_copy(token: Callable[[World], str], ext: str) -> Check:
    def check(w: World, answer: Response) -> None:
        unknown = w.client.get(f"/api/v1/track/{UNKNOWN}/copy/{token(w)}{ext}")
        assert (answer.status_code, answer.text) == (unknown.status_code, unknown.text)

    return check


NOT_ADMINS = {
    "dispatcher": "dispatch.tdm",
    "center_staff": "center.tdm",
    "courier": "bd-cr-tdm-01",
    "citizen": "citizen.an",
    "center_system": "key:site_x",
}


PERSONAL_DATA = {
    **{
        f"{role}_reads_the_access_log": Attack(_get("/api/v1/access-log", who), 403)
        for role, who in NOT_ADMINS.items()
    },
    "anonymous_reads_the_access_log": Attack(_get("/api/v1/access-log", "anonymous"), 401),
    "citizen_downloads_anothers_data": Attack(
        _get("/api/v1/me/dossiers/{victim}/data", OTHER_CITIZEN[0]), 404
    ),
    "citizen_downloads_anothers_data_pdf": Attack(
        _get("/api/v1/me/dossiers/{victim}/data.pdf", OTHER_CITIZEN[0]), 404
    ),
    "citizen_erases_anothers_data": Attack(
        _post("/api/v1/me/dossiers/{victim}/erasure", OTHER_CITIZEN[0]), 404
    ),
    "stranger_downloads_the_data_with_a_wrong_suffix": Attack(
        lambda w: w.client.post(f"/api/v1/track/{w.victim}/data", json={"phone": "0000"}),
        404,
        changes=True,  # the wrong suffix is counted against the code
    ),
    "stranger_with_the_right_suffix_gets_no_personal_data": Attack(
        lambda w: w.client.post(f"/api/v1/track/{w.victim}/data", json={"phone": SUFFIX}),
        202,
        changes=True,  # the link is sent by SMS, to the victim's own phone
        check=_link_sent_to_the_victim,
    ),
    "stranger_asks_the_old_pdf_with_the_right_suffix": Attack(
        lambda w: w.client.post(f"/api/v1/track/{w.victim}/data.pdf", json={"phone": SUFFIX}),
        (404, 405),
    ),
    "stranger_floods_the_citizen_with_copy_links": Attack(
        _four_copy_links, 429, changes=True, check=_three_links_sent
    ),
    **{
        f"stranger_opens_the_copy_with_{name}{ext}": Attack(
            _copy_with(token, ext), 404, check=_like_an_unknown_copy(token, ext)
        )
        for name, token in (
            ("a_forged_link", _forged_link),
            ("an_expired_link", _expired_link),
            ("anothers_link", _anothers_link),
        )
        for ext in ("", ".pdf")
    },
}


# --- the custody record, altered by whoever owns the database --------------------------------


def _last_link_removed_and_head_rewound(w: World) -> Response:
    """The center's link of the received dossier deleted, its head set back to the pickup's:
    the rows agree with each other again; the admin then asks for the chain."""
    items = w.session.scalars(
        select(HandoverItem)
        .join(Dossier, Dossier.id == HandoverItem.dossier_id)
        .where(Dossier.tracking_code == w.received)
        .order_by(HandoverItem.seq)
    ).all()
    *kept, last = items
    w.session.execute(delete(HandoverItem).where(HandoverItem.id == last.id))
    w.session.execute(
        update(Dossier)
        .where(Dossier.id == last.dossier_id)
        .values(custody_seq=len(kept), custody_head=kept[-1].link_hash)
    )
    w.session.commit()
    return w.client.get(f"/api/v1/dossiers/{w.received}/custody", headers=w.as_("admin"))


def _named_as_removed(w: World, answer: Response) -> None:
    chain = answer.json()
    assert chain["verified"] is False
    assert chain["first_broken"]["seq"] == 2
    assert "removed" in chain["first_broken"]["problem"]
    assert "rewound" in chain["first_broken"]["problem"]


CUSTODY = {
    "last_custody_link_removed_and_head_rewound": Attack(
        _last_link_removed_and_head_rewound,
        200,
        changes=True,
        hidden=(),
        check=_named_as_removed,
    ),
}


ATTACKS: dict[str, Attack] = {
    **CREDENTIALS,
    **ACCESS,
    **PATHS,
    **UPLOADS,
    **MASS_ASSIGNMENT,
    **GUESSING,
    **INPUTS,
    **ANSWERS,
    **PERSONAL_DATA,
    **CUSTODY,
}


# --- running the table -------------------------------------------------------------------------


@dataclass
class Made:
    """The module's world on a connection rolled back at the end, and its session factory."""

    world: World
    connection: Connection
    factory: sessionmaker[Session]
    app: FastAPI


def module_settings() -> Settings:
    """The suite's settings with a small upload limit (an oversized photo is 200 KB, not 15 MB)."""
    return suite_settings().model_copy(update={"upload_max_bytes": UPLOAD_MAX})


@pytest.fixture(scope="module")
def made(engine: Engine) -> Iterator[Made]:
    """The world, made once for the module (per backend)."""
    settings = module_settings()
    with rolled_back(engine) as conn, joined_sessions(conn) as factory:
        app = create_app(settings, factory)
        with TestClient(app) as client, factory() as session:
            world = build(World(client, session, settings))
            yield Made(world, conn, factory, app)


@pytest.fixture
def world(made: Made) -> Iterator[World]:
    """The world for one attack, with a client of its own (no cookies) calling from 127.0.0.1,
    where a reverse proxy would be; the attack is rolled back."""
    attempt = made.connection.begin_nested()
    runtime.use_session_factory(made.factory)
    with (
        TestClient(made.app, client=LOOPBACK) as client,
        made.factory() as session,
    ):
        yield replace(made.world, client=client, session=session)
    attempt.rollback()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_the_attack_is_refused(world: World, name: str) -> None:
    """The attack gets its status, changes nothing it must not, and leaks nothing."""
    attack = ATTACKS[name]
    world.snapshot_before = world.snapshot()
    answer = attack.attempt(world)
    expected = attack.status if isinstance(attack.status, tuple) else (attack.status,)
    assert answer.status_code in expected, answer.text[:500]
    if not attack.changes:
        assert world.snapshot() == world.snapshot_before
    assert [secret for secret in attack.hidden if secret in answer.text] == []
    if attack.check is not None:
        attack.check(world, answer)


RIGHTFUL = {
    "the owner reads the dossier": ("/api/v1/dossiers/{victim}", "citizen.an", NAME),
    "the carrier reads the citizen's signature": (
        "/api/v1/handovers/{handover}/proofs/{proof}",
        "bd-cr-tdm-01",
        "",
    ),
    "the owner reads the pickup receipt": (
        "/api/v1/handovers/{handover}/receipt.pdf",
        "citizen.an",
        "",
    ),
    "office A's dispatcher reads the dossier": ("/api/v1/dossiers/{victim}", "dispatch.tdm", NAME),
    "office A's dispatcher reads the plan": ("/api/v1/plans/{plan}", "dispatch.tdm", ""),
    "site X's clerk reads the received dossier": (
        "/api/v1/dossiers/{received}",
        "center.tdm",
        "",
    ),
    "site X's system reads the received dossier": (
        "/api/v1/dossiers/{received}",
        "key:site_x",
        "",
    ),
    "an admin reads the pickup photo": ("/api/v1/handovers/{handover}/proofs/{photo}", "admin", ""),
    "an admin finds the received dossier's chain intact": (
        "/api/v1/dossiers/{received}/custody",
        "admin",
        '"verified":true',
    ),
}


def test_the_rightful_callers_get_through(world: World) -> None:
    """Control: what the attacks try is there to be had, by those it belongs to."""
    answers = {name: _get(path, who)(world) for name, (path, who, _) in RIGHTFUL.items()}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(RIGHTFUL, 200)
    assert all(shown in answers[name].text for name, (_, _, shown) in RIGHTFUL.items())
