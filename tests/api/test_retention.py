"""Retention: images of delivered dossiers are deleted after the period; the chain still verifies."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier.db import utcnow
from courier.dossiers.models import Dossier
from courier.proofs.models import HandoverProof
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


def _deliver(client: TestClient, session: Session) -> tuple[str, dict[str, str]]:
    code = book(client, result_return="post")["tracking_code"]
    cid, courier = to_out_for_delivery(client, session, code)
    body = handover_body({"kind": "courier", "id": cid}, {"kind": "citizen"}, [code])
    post_handover_ok(client, courier, body)
    return code, courier


def _age(session: Session, code: str, days: int) -> None:
    session.execute(
        update(Dossier)
        .where(Dossier.tracking_code == code)
        .values(status_changed_at=utcnow() - timedelta(days=days))
    )
    session.flush()


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
    answer = client.get(
        f"/api/v1/handovers/{proof.handover_id}/proofs/{proof.id}",
        headers=headers_for(session, "admin"),
    )
    assert answer.status_code == 410
    assert "removed by retention" in answer.json()["detail"]
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
