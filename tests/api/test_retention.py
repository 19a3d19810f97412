"""Retention: images of delivered dossiers are deleted after the period; the chain still verifies."""

import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageChops
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.db import utcnow
from courier.dossiers.models import Dossier
from courier.handovers.models import Handover, HandoverItem
from courier.proofs.custody import sha256_hex as custody_sha256
from courier.proofs.custody import signing_key
from courier.proofs.models import HandoverProof, Receipt
from courier.proofs.printing import receipt_data, reissue_without_removed_images
from courier.proofs.receipts import render
from courier.proofs.service import seal
from courier.proofs.storage import storage_for
from courier.proofs.tasks import apply_retention
from courier.settings import Settings
from tests.builders import (
    STAFF_TDM,
    book,
    handover_body,
    headers_for,
    post_handover_ok,
    to_out_for_delivery,
)
from tests.custody_log import reanchor


def _deliver(client: TestClient, session: Session) -> tuple[str, dict[str, str]]:
    code = book(client, result_return="post")["tracking_code"]
    cid, courier = to_out_for_delivery(client, session, code)
    body = handover_body({"kind": "courier", "id": cid}, {"kind": "citizen"}, [code])
    post_handover_ok(client, courier, body)
    return code, courier


def _age(session: Session, code: str, days: int) -> None:
    """Move the dossier's whole history `days` back, re-sealed and anchored as the server would
    have then."""
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    dossier.status_changed_at -= timedelta(days=days)
    handovers = session.scalars(
        select(Handover)
        .join(HandoverItem, HandoverItem.handover_id == Handover.id)
        .where(HandoverItem.dossier_id == dossier.id)
        .order_by(HandoverItem.seq)
    ).all()
    dossier.custody_seq, dossier.custody_head = 0, None
    for handover in handovers:
        handover.recorded_at -= timedelta(days=days)
        handover.device_at -= timedelta(days=days)
        seal(session, handover, signing_key(Settings()), zone=Settings().zone)
    session.flush()
    reanchor(session, Settings().zone)


def test_old_deliveries_lose_their_images_but_keep_their_digests(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """After 365 days: files deleted, rows marked, the chain verifies, downloads answer 404."""
    code, _courier = _deliver(client, session)
    recent, _ = _deliver(client, session)
    _age(session, code, 400)
    keys = list(session.scalars(select(HandoverProof.storage_key)))
    assert all((Path(Settings().media_dir) / k).exists() for k in keys)
    with caplog.at_level(logging.INFO, logger="courier.proofs.tasks"):
        removed = apply_retention()
    assert removed > 0
    assert "retention removed photo 0 of handover" in caplog.text
    session.expire_all()
    staff = headers_for(session, STAFF_TDM)
    chain = client.get(f"/api/v1/dossiers/{code}/custody", headers=staff).json()
    assert chain["verified"] is True
    states = {p["state"] for link in chain["links"] for p in link["proofs"]}
    assert states == {"removed_by_retention"}
    proof = session.scalars(
        select(HandoverProof).where(HandoverProof.removed_at.is_not(None))
    ).first()
    assert proof is not None
    assert proof.removed_reason == "retention"
    handover = client.get(
        f"/api/v1/handovers/{proof.handover_id}", headers=headers_for(session, "admin")
    )
    url = next(p for p in handover.json()["proofs"] if p["id"] == proof.id)
    assert url["url"] is None
    address = f"/api/v1/handovers/{proof.handover_id}/proofs/{proof.id}"
    answer = client.get(address, headers=headers_for(session, "admin"))
    assert answer.status_code == 410
    assert answer.json()["detail"] == (
        f"Ảnh {proof.id} đã bị xóa khi hết thời hạn lưu trữ; "
        "mã băm (digest) của ảnh vẫn được giữ lại."
    )
    english = client.get(
        address, headers={**headers_for(session, "admin"), "Accept-Language": "en"}
    )
    assert english.json()["detail"] == (
        f"Image {proof.id} was removed by retention; its digest remains."
    )
    young = client.get(f"/api/v1/dossiers/{recent}/custody", headers=staff).json()
    assert {p["state"] for link in young["links"] for p in link["proofs"]} == {"ok"}


def test_files_no_live_record_uses_are_deleted_and_a_rerun_does_nothing(
    client: TestClient, session: Session
) -> None:
    """The only delivered dossier's files leave the disk; the task is safe to run twice."""
    code, _ = _deliver(client, session)
    _age(session, code, 400)
    keys = set(session.scalars(select(HandoverProof.storage_key)))
    assert apply_retention() > 0
    assert not any((Path(Settings().media_dir) / k).exists() for k in keys)
    assert apply_retention() == 0


def _forge_removal(session: Session, code: str) -> None:
    """What anyone with database and disk access could do: mark the images removed, delete them."""
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    proofs = session.scalars(
        select(HandoverProof)
        .join(HandoverItem, HandoverItem.handover_id == HandoverProof.handover_id)
        .where(HandoverItem.dossier_id == dossier.id)
    ).all()
    for proof in proofs:
        proof.removed_at, proof.removed_reason = utcnow(), "retention"
        (Path(Settings().media_dir) / proof.storage_key).unlink(missing_ok=True)
    session.flush()


def test_a_removal_forged_before_delivery_is_a_broken_link(
    client: TestClient, session: Session
) -> None:
    """A dossier still out for delivery: images marked removed are reported, not excused."""
    code = book(client, result_return="post")["tracking_code"]
    to_out_for_delivery(client, session, code)
    _forge_removal(session, code)
    chain = client.get(
        f"/api/v1/dossiers/{code}/custody", headers=headers_for(session, STAFF_TDM)
    ).json()
    assert chain["verified"] is False
    assert chain["first_broken"]["seq"] == 1
    assert (
        "removed by retention, but the chain shows no delivery" in chain["first_broken"]["problem"]
    )
    states = {p["state"] for link in chain["links"] for p in link["proofs"]}
    assert states == {"removal_unproven"}


def test_a_removal_forged_within_the_retention_period_is_a_broken_link(
    client: TestClient, session: Session
) -> None:
    """Delivered today: a removal dated today is earlier than retention allows."""
    code, _ = _deliver(client, session)
    _forge_removal(session, code)
    chain = client.get(
        f"/api/v1/dossiers/{code}/custody", headers=headers_for(session, STAFF_TDM)
    ).json()
    assert chain["verified"] is False
    assert "before the retention period after delivery" in chain["first_broken"]["problem"]


def _beige(png: bytes) -> int:
    """Pixels of the test photo's beige background (200, 190, 170): its thumbnail on a receipt."""
    bands = Image.open(io.BytesIO(png)).convert("RGB").split()
    masks = [
        band.point(lambda v, c=c: 255 if abs(v - c) < 12 else 0)
        for band, c in zip(bands, BEIGE, strict=True)
    ]
    return ImageChops.darker(ImageChops.darker(masks[0], masks[1]), masks[2]).histogram()[255]


BEIGE = (200, 190, 170)


def test_receipts_are_redrawn_without_the_removed_images(
    client: TestClient, session: Session
) -> None:
    """After retention no stored receipt shows the photo or signature; a rerun redraws nothing."""
    code, _ = _deliver(client, session)
    _age(session, code, 400)
    store = Path(Settings().media_dir)
    before = {
        r.handover_id: (store / r.png_key).read_bytes() for r in session.scalars(select(Receipt))
    }
    assert before
    assert any(_beige(png) > 500 for png in before.values())
    apply_retention()
    session.expire_all()
    settings = Settings()
    for receipt in session.scalars(select(Receipt)):
        png = (store / receipt.png_key).read_bytes()
        assert _beige(png) == 0
        assert custody_sha256(png) == receipt.png_sha256
        handover = session.get_one(Handover, receipt.handover_id)
        data = receipt_data(session, handover, settings, storage_for(settings))
        assert (data.signatures, data.photos) == ((), ())
        assert data.removed_images > 0
        assert png == render(data)[0]
    assert (
        reissue_without_removed_images(session, settings=settings, storage=storage_for(settings))
        == []
    )
