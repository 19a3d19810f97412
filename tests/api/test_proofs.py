"""Handover proof over HTTP: what each kind needs, refusals that store nothing, images, receipts."""

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.main import create_app
from courier.calendar import add_working_days
from courier.proofs.models import HandoverProof, Receipt
from courier.settings import Settings
from tests.builders import (
    SEAL,
    assigned_pickup,
    book,
    courier_id,
    handover_body,
    headers_for,
    photo_jpeg,
    pick_up,
    post_handover,
    signature_png,
    site_id,
    to_center,
)
from tests.courier.proofs.test_images import bomb_png

Files = list[tuple[str, tuple[str, bytes, str]]]


def _pickup(client: TestClient, session: Session) -> tuple[str, dict[str, Any], dict[str, str]]:
    """A booked dossier assigned to BD-CR-TDM-01, and a complete pickup body for it."""
    courier = headers_for(session, "bd-cr-tdm-01")
    code, body = assigned_pickup(
        client,
        cid=courier_id(session, "BD-CR-TDM-01"),
        dispatcher=headers_for(session, "dispatch.tdm"),
        courier=courier,
    )
    return code, body, courier


def _stored(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(HandoverProof)) or 0


def _files(*, signature: bool = True, photos: int = 1, photo: bytes | None = None) -> Files:
    files: Files = []
    if signature:
        files.append(("signature", ("s.png", signature_png(), "image/png")))
    for i in range(photos):
        files.append(("photos", (f"p{i}.jpg", photo or photo_jpeg(), "image/jpeg")))
    return files


@pytest.mark.parametrize(
    ("drop", "loc"),
    [
        ("signature", ["body", "signature"]),
        ("photos", ["body", "photos"]),
        ("seal_number", ["body", "handover", "seal_number"]),
        ("fees_collected_vnd", ["body", "handover", "fees_collected_vnd"]),
        ("documents", ["body", "handover", "documents"]),
    ],
)
def test_a_pickup_missing_a_required_piece_is_refused_by_name(
    client: TestClient, session: Session, drop: str, loc: list[str]
) -> None:
    """Signature, photo, seal, fee and checklist are each required at pickup; nothing is stored."""
    code, body, courier = _pickup(client, session)
    files = _files(signature=drop != "signature", photos=0 if drop == "photos" else 1)
    body.pop(drop, None)
    response = post_handover(client, body, courier, files, complete=False)
    assert response.status_code == 422, response.text
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert _stored(session) == 0
    assert client.get(f"/api/v1/dossiers/{code}", headers=courier).json()["status"] == "booked"


def test_an_incomplete_checklist_names_the_dossier(client: TestClient, session: Session) -> None:
    """Every required document of the procedure must be ticked original or copy."""
    code, body, courier = _pickup(client, session)
    body["documents"][code] = body["documents"][code][:-1]
    response = post_handover(client, body, courier, _files(), complete=False)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "handover", "documents", code]


def test_the_delivery_record_at_a_center_needs_both_signatures(
    client: TestClient, session: Session
) -> None:
    """Courier to center: without the courier's counter-signature it is refused by name."""
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code)
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    body = handover_body({"kind": "courier", "id": cid}, center, [code], seal_number=SEAL)
    response = post_handover(client, body, courier, _files(photos=0), complete=False)
    assert response.status_code == 422
    assert ["body", "counter_signature"] in [e["loc"] for e in response.json()["detail"]]


def test_seven_photos_are_too_many(client: TestClient, session: Session) -> None:
    """At most six photos."""
    _, body, courier = _pickup(client, session)
    response = post_handover(client, body, courier, _files(photos=7), complete=False)
    assert response.status_code == 422
    assert ["body", "photos"] in [e["loc"] for e in response.json()["detail"]]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"GIF89a-not-really", "allowed type"),
        (bomb_png(5000, Settings().photo_max_pixels_full_decode // 5000 + 1), "pixels"),
    ],
)
def test_a_bad_photo_is_refused_naming_it_and_nothing_is_stored(
    client: TestClient, session: Session, payload: bytes, words: str
) -> None:
    """The second photo is not an image (or a decompression bomb): 422 on photos[1], no trace."""
    code, body, courier = _pickup(client, session)
    files = _files(photos=1)
    files.append(("photos", ("evil.jpg", payload, "image/jpeg")))
    media_before = sorted(Path(Settings().media_dir).rglob("*"))
    response = post_handover(client, body, courier, files, complete=False)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["body", "photos", 1]
    assert words in problem["msg"]
    assert _stored(session) == 0
    assert sorted(Path(Settings().media_dir).rglob("*")) == media_before
    assert client.get(f"/api/v1/dossiers/{code}", headers=courier).json()["status"] == "booked"


def test_stored_photos_are_upright_and_carry_no_metadata(
    client: TestClient, session: Session
) -> None:
    """What the center downloads has no GPS and no camera data."""
    _, body, courier = _pickup(client, session)
    response = post_handover(
        client, body, courier, _files(photo=photo_jpeg(orientation=6)), complete=False
    )
    assert response.status_code == 201, response.text
    photo = next(p for p in response.json()["proofs"] if p["role"] == "photo")
    image = Image.open(io.BytesIO(client.get(photo["url"], headers=courier).content))
    assert image.size == (480, 640)
    assert len(image.getexif()) == 0
    signature = next(p for p in response.json()["proofs"] if p["role"] == "signature")
    assert Image.open(io.BytesIO(client.get(signature["url"], headers=courier).content)).mode == "L"


def test_a_retry_answers_the_first_handover_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    """Same key, same body, same files: 200 with the first id; no new row, no new file."""
    _, body, courier = _pickup(client, session)
    first = post_handover(client, body, courier, _files(), complete=False)
    stored = _stored(session)
    again = post_handover(client, body, courier, _files(), complete=False)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert _stored(session) == stored


def test_the_same_key_with_another_photo_is_refused(client: TestClient, session: Session) -> None:
    """A different file under a used key is a different request: 422 on the key."""
    _, body, courier = _pickup(client, session)
    assert post_handover(client, body, courier, _files(), complete=False).status_code == 201
    other = _files(photo=photo_jpeg(size=(320, 240)))
    response = post_handover(client, body, courier, other, complete=False)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "handover", "idempotency_key"]


def test_the_receipt_is_rendered_as_png_and_pdf(client: TestClient, session: Session) -> None:
    """After the commit the task has rendered the dossier slip; parties can download it."""
    _, body, courier = _pickup(client, session)
    recorded = post_handover(client, body, courier, _files(), complete=False).json()
    again = client.get(f"/api/v1/handovers/{recorded['id']}", headers=courier).json()
    png = client.get(again["receipt_png"], headers=courier)
    pdf = client.get(again["receipt_pdf"], headers=courier)
    assert png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (1240, 1754)
    assert pdf.content.startswith(b"%PDF")
    assert session.scalar(select(func.count()).select_from(Receipt)) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("bd-cr-tdm-01", 200),
        ("bd-cr-tdm-02", 404),
        ("center.thuanan", 404),
        ("admin", 200),
        (None, 401),
    ],
)
def test_images_and_receipts_only_for_those_they_concern(
    client: TestClient, session: Session, who: str | None, status: int
) -> None:
    """The courier who took the dossier and an admin see the proof; others do not."""
    _, body, courier = _pickup(client, session)
    recorded = post_handover(client, body, courier, _files(), complete=False).json()
    headers = headers_for(session, who) if who else {}
    urls = [p["url"] for p in recorded["proofs"]]
    urls += [
        f"/api/v1/handovers/{recorded['id']}",
        f"/api/v1/handovers/{recorded['id']}/receipt.pdf",
    ]
    assert {client.get(u, headers=headers).status_code for u in urls} == {status}


def _stream_post(
    client: TestClient,
    headers: dict[str, str],
    head: bytes,
    payload: bytes,
    boundary: str,
    sent: list[int],
) -> Any:
    """POST a multipart body in 16 KB chunks pulled lazily, as a server would; `sent` records them.

    ASGITransport pulls the body as the app reads it; TestClient would read it whole first.
    """

    async def stream() -> Any:
        yield head
        for start in range(0, len(payload), 16_384):
            sent.append(start)
            yield payload[start : start + 16_384]
        yield f"\r\n--{boundary}--\r\n".encode()

    async def post() -> Any:
        transport = httpx2.ASGITransport(app=client.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as http:
            content_type = f"multipart/form-data; boundary={boundary}"
            return await http.post(
                "/api/v1/handovers",
                content=stream(),
                headers={**headers, "Content-Type": content_type},
            )

    return anyio.run(post)


def test_an_oversized_photo_is_refused_413_while_streaming(factory: Any, session: Session) -> None:
    """With a 60 KB limit, a 200 KB photo is refused before the rest of the body is read."""
    settings = Settings(
        environment="test",
        secret_key="test-secret-key-long-enough-for-hs256-signing",
        upload_max_bytes=60_000,
        track_rate_limit="1000/minute",
    )
    with TestClient(create_app(settings, factory)) as client:
        _, body, courier = _pickup(client, session)
        big = Image.effect_noise((600, 600), 50).convert("RGB")
        out = io.BytesIO()
        big.save(out, "PNG")
        boundary = "courierboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="handover"\r\n\r\n'
            f"{json.dumps(body)}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="photos"; filename="big.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        payload = out.getvalue()
        assert len(payload) > 150_000
        sent: list[int] = []
        response = _stream_post(client, courier, head, payload, boundary, sent)
        assert response.status_code == 413
        assert "photos" in response.json()["detail"]
        assert sent[-1] < len(payload) - 16_384, "the whole photo was read before refusing it"
        declared = client.post(
            "/api/v1/handovers",
            content=b"x",
            headers={
                **courier,
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(settings.upload_max_request_bytes + 1),
            },
        )
        assert declared.status_code == 413
    assert _stored(session) == 0


def test_a_postponed_result_date_shows_on_the_public_timeline(
    client: TestClient, session: Session
) -> None:
    """The receiving center moves the date with a reason; the citizen sees both."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    staff = headers_for(session, "center.tdm")
    due = client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["due_on"]
    assert due is not None
    later_on = add_working_days(date.fromisoformat(due), 5)
    later = later_on.isoformat()
    response = client.post(
        f"/api/v1/dossiers/{code}/postpone",
        json={"new_due_on": later, "reason": "additional_verification"},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    assert response.json()["due_on"] == later
    timeline = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()
    assert timeline["due_on"] == later
    last = timeline["events"][-1]
    assert last["code"] == "ECG"
    assert later_on.strftime("%d/%m/%Y") in last["label"]
    assert "xác minh" in last["label"]
    earlier = client.post(
        f"/api/v1/dossiers/{code}/postpone",
        json={"new_due_on": due, "reason": "site_inspection"},
        headers=staff,
    )
    assert earlier.status_code == 422
    other = client.post(
        f"/api/v1/dossiers/{code}/postpone",
        json={
            "new_due_on": add_working_days(later_on, 1).isoformat(),
            "reason": "site_inspection",
        },
        headers=headers_for(session, "center.thuanan"),
    )
    assert other.status_code == 404


def test_a_stranger_cannot_replay_a_key_to_read_a_handover(
    client: TestClient, session: Session
) -> None:
    """Another courier sending the same key and body is refused, not answered the handover."""
    _, body, courier = _pickup(client, session)
    assert post_handover(client, body, courier, _files(), complete=False).status_code == 201
    other = headers_for(session, "bd-cr-tdm-02")
    response = post_handover(client, body, other, _files(), complete=False)
    assert response.status_code == 403
    assert "id" not in response.json()


@pytest.mark.parametrize("what", ["proof", "receipt"])
def test_a_file_missing_from_storage_answers_404_naming_it(
    client: TestClient, session: Session, what: str
) -> None:
    """The record exists but its file was lost: a clear 404, not a server error."""
    _, body, courier = _pickup(client, session)
    posted = post_handover(client, body, courier, _files(), complete=False).json()
    recorded = client.get(f"/api/v1/handovers/{posted['id']}", headers=courier).json()
    receipt = session.scalar(select(Receipt).where(Receipt.handover_id == recorded["id"]))
    proof = session.get(HandoverProof, recorded["proofs"][0]["id"])
    assert receipt is not None
    assert proof is not None
    key = proof.storage_key if what == "proof" else receipt.pdf_key
    (Path(Settings().media_dir) / key).unlink()
    url = recorded["proofs"][0]["url"] if what == "proof" else recorded["receipt_pdf"]
    response = client.get(url, headers=courier)
    assert response.status_code == 404
    assert "missing from storage" in response.json()["detail"]


def test_a_delivery_record_of_eight_dossiers_runs_over_pages(
    client: TestClient, session: Session
) -> None:
    """Eight dossiers handed in at a center: the record needs two pages, and has them."""
    codes = [book(client)["tracking_code"] for _ in range(8)]
    _, courier = to_center(client, session, codes)
    receipt = session.scalars(select(Receipt).order_by(Receipt.id.desc())).first()
    assert receipt is not None
    recorded = client.get(f"/api/v1/handovers/{receipt.handover_id}", headers=courier).json()
    assert sorted(i["tracking_code"] for i in recorded["items"]) == sorted(codes)
    png = client.get(recorded["receipt_png"], headers=courier).content
    pdf = client.get(recorded["receipt_pdf"], headers=courier).content
    width, height = Image.open(io.BytesIO(png)).size
    pages = height // 1754
    assert (width, height % 1754) == (1240, 0)
    assert pages >= 2
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == pages
