"""A proof image or receipt whose stored bytes were altered is never served or printed: 409
`proof_damaged` and an ERROR to alert on, while untouched files are served as before."""

import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from courier.proofs import printing
from courier.proofs.models import HandoverProof, Receipt
from courier.proofs.storage import StoredObjectDamaged, storage_for
from courier.settings import Settings
from tests.api.center_staff import as_staff, post_receive, receive_form
from tests.api.test_proofs import _pickup
from tests.builders import STAFF_TDM, book, headers_for, pick_up, post_handover, signature_png

SAME_SITE = {"Origin": "http://testserver"}
Files = list[tuple[str, tuple[str, bytes, str]]]


def _unique_photo() -> bytes:
    """A photo no other test uploads (random pixels)."""
    image = Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _recorded_pickup(client: TestClient, session: Session) -> tuple[dict[str, Any], dict[str, str]]:
    """A pickup with a signature and a photo of its own; its record as the courier reads it."""
    code, body, courier = _pickup(client, session)
    files: Files = [
        ("signature", ("s.png", signature_png(), "image/png")),
        ("photos", ("p.jpg", _unique_photo(), "image/jpeg")),
    ]
    posted = post_handover(client, body, courier, files, complete=False)
    assert posted.status_code == 201, posted.text
    recorded = client.get(f"/api/v1/handovers/{posted.json()['id']}", headers=courier).json()
    recorded["code"] = code
    return recorded, courier


def _photo(session: Session, recorded: dict[str, Any]) -> tuple[HandoverProof, str]:
    proof = next(
        session.get_one(HandoverProof, p["id"]) for p in recorded["proofs"] if p["role"] == "photo"
    )
    url = next(p["url"] for p in recorded["proofs"] if p["id"] == proof.id)
    return proof, url


@contextmanager
def _one_byte_altered(key: str) -> Iterator[None]:
    """The stored file with one byte flipped, put back afterwards."""
    path = Path(Settings().media_dir) / key
    original = path.read_bytes()
    altered = bytearray(original)
    altered[len(altered) // 2] ^= 0x01
    path.write_bytes(bytes(altered))
    try:
        yield
    finally:
        path.write_bytes(original)


def test_an_altered_photo_is_refused_and_the_untouched_signature_served(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """One byte changed in the stored photo: 409 `proof_damaged` in the caller's language, none
    of its bytes, an ERROR naming the file; the signature beside it is still served."""
    recorded, courier = _recorded_pickup(client, session)
    proof, url = _photo(session, recorded)
    signature = next(p["url"] for p in recorded["proofs"] if p["role"] == "signature")
    good = client.get(url, headers=courier).content
    with _one_byte_altered(proof.storage_key), caplog.at_level(logging.ERROR):
        refused = client.get(url, headers={**courier, "Accept-Language": "en"})
        in_vi = client.get(url, headers=courier)
        assert client.get(signature, headers=courier).status_code == 200
    assert refused.status_code == in_vi.status_code == 409
    assert refused.json()["code"] == "proof_damaged"
    assert "damaged" in refused.json()["detail"]
    assert "bị hỏng" in in_vi.json()["detail"]
    assert good[100:140] not in refused.content
    alerts = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(proof.storage_key in r.getMessage() for r in alerts)
    assert client.get(url, headers=courier).content == good


def test_an_altered_receipt_is_refused_and_its_untouched_twin_served(
    client: TestClient, session: Session
) -> None:
    """One byte changed in the stored PDF receipt: 409; the PNG of the same receipt is served."""
    recorded, courier = _recorded_pickup(client, session)
    receipt = session.scalars(select(Receipt).where(Receipt.handover_id == recorded["id"])).one()
    with _one_byte_altered(receipt.pdf_key):
        refused = client.get(recorded["receipt_pdf"], headers=courier)
        png = client.get(recorded["receipt_png"], headers=courier)
    assert refused.status_code == 409
    assert refused.json()["code"] == "proof_damaged"
    assert b"%PDF" not in refused.content
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"


def test_no_receipt_prints_an_altered_photo(client: TestClient, session: Session) -> None:
    """Drawing a receipt again over an altered photo is refused, so no receipt shows it."""
    recorded, _ = _recorded_pickup(client, session)
    proof, _ = _photo(session, recorded)
    session.execute(delete(Receipt).where(Receipt.handover_id == recorded["id"]))
    settings = Settings()
    with _one_byte_altered(proof.storage_key), pytest.raises(StoredObjectDamaged):
        printing.issue_receipt(
            session, recorded["id"], settings=settings, storage=storage_for(settings)
        )
    assert session.scalar(select(Receipt).where(Receipt.handover_id == recorded["id"])) is None


def test_the_citizens_page_refuses_an_altered_receipt(client: TestClient, session: Session) -> None:
    """On the tracking page, the citizen's altered PDF receipt is a 409 page saying the file is
    damaged; its PNG is still served."""
    recorded, _ = _recorded_pickup(client, session)
    code = recorded["code"]
    form = {"code": code, "phone": "5678"}
    granted = client.post("/track", data=form, headers=SAME_SITE, follow_redirects=False)
    assert granted.status_code == 303, granted.text
    receipt = session.scalars(select(Receipt).where(Receipt.handover_id == recorded["id"])).one()
    base = f"/track/{code}/receipts/{recorded['id']}"
    with _one_byte_altered(receipt.pdf_key):
        refused = client.get(f"{base}.pdf")
        png = client.get(f"{base}.png")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("text/html")
    assert "bị hỏng" in refused.text
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"


def test_the_counter_refuses_an_altered_receipt(client: TestClient, session: Session) -> None:
    """At the center's counter, the clerk's altered PDF receipt is a 409 page; its PNG is served."""
    code = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, code)
    as_staff(client, session, STAFF_TDM)
    received = post_receive(client, receive_form(cid, [code]))
    assert received.status_code == 201, received.text
    handover_id = received.json()["handover_id"]
    receipt = session.scalars(select(Receipt).where(Receipt.handover_id == handover_id)).one()
    base = f"/center/counter/received/{handover_id}/receipt"
    with _one_byte_altered(receipt.pdf_key):
        refused = client.get(f"{base}.pdf")
        png = client.get(f"{base}.png")
    assert refused.status_code == 409
    assert "Tệp bị hỏng" in refused.text
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"


def test_identical_uploads_are_stored_apart_so_damage_touches_one_record(
    client: TestClient, session: Session
) -> None:
    """The same photo taken at two pickups of two dossiers: two files, one digest. One byte
    changed in the first file: the first photo is refused and its chain broken; the second is
    still served and its chain verifies."""
    photo = _unique_photo()
    pickups = []
    for _ in range(2):
        code, body, courier = _pickup(client, session)
        files: Files = [
            ("signature", ("s.png", signature_png(), "image/png")),
            ("photos", ("p.jpg", photo, "image/jpeg")),
        ]
        posted = post_handover(client, body, courier, files, complete=False)
        assert posted.status_code == 201, posted.text
        recorded = client.get(f"/api/v1/handovers/{posted.json()['id']}", headers=courier).json()
        pickups.append((code, *_photo(session, recorded)))
    (first_code, first, first_url), (second_code, second, second_url) = pickups
    assert first.sha256 == second.sha256
    assert first.storage_key != second.storage_key
    staff = headers_for(session, STAFF_TDM)
    with _one_byte_altered(first.storage_key):
        refused = client.get(first_url, headers=courier)
        served = client.get(second_url, headers=courier)
        chains = [
            client.get(f"/api/v1/dossiers/{code}/custody", headers=staff).json()
            for code in (first_code, second_code)
        ]
    assert refused.status_code == 409
    assert served.status_code == 200
    assert chains[0]["first_broken"] == {
        "seq": 1,
        "problem": "photo 1 was replaced (its digest differs)",
    }
    assert chains[1]["verified"] is True
