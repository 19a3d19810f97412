"""Erasure and the retention purge (Law 91/2025): closed dossiers past retention lose their
personal fields, once, whether or not the citizen asked; the custody chain still verifies."""

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier, Job
from courier.privacy.erasure import MARKER
from courier.privacy.tasks import purge
from courier.proofs.models import HandoverProof
from courier.settings import Settings
from tests.api.test_retention import _age, _deliver
from tests.builders import STAFF_TDM, book, headers_for

RETENTION = Settings().personal_data_retention_days


def _dossier(session: Session, code: str) -> Dossier:
    session.expire_all()
    return session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()


def _cancelled(client: TestClient, session: Session, days_ago: int) -> str:
    """A booking the citizen cancelled `days_ago` days ago."""
    code = book(client)["tracking_code"]
    answer = client.post(f"/api/v1/track/{code}/cancel", json={"phone": "5678"})
    assert answer.status_code == 200, answer.text
    dossier = _dossier(session, code)
    dossier.status_changed_at -= timedelta(days=days_ago)
    session.commit()
    return code


def test_the_purge_erases_closed_dossiers_past_retention_only(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """Past retention: name, phone, address, point and the stops' addresses become the marker;
    a day short of it, or still open: untouched. The log names each erased code."""
    old = _cancelled(client, session, RETENTION + 1)
    recent = _cancelled(client, session, RETENTION - 1)
    open_code = book(client)["tracking_code"]
    with caplog.at_level(logging.INFO, logger="courier.privacy.tasks"):
        assert purge() >= 1
    assert f"personal data of dossier {old} erased" in caplog.text
    erased = _dossier(session, old)
    assert (erased.applicant_name, erased.applicant_phone, erased.address_text) == (MARKER,) * 3
    assert (erased.lat, erased.lon, erased.erased_at is not None) == (0.0, 0.0, True)
    stops = session.scalars(select(Job).where(Job.dossier_id == erased.id, Job.site_id.is_(None)))
    assert {(j.address_text, j.lat) for j in stops} == {(MARKER, 0.0)}
    for code in (recent, open_code):
        kept = _dossier(session, code)
        assert (kept.applicant_name, kept.erased_at) == ("Nguyễn Văn An", None)


def test_the_purge_is_idempotent(client: TestClient, session: Session) -> None:
    """A second run finds nothing due and changes nothing."""
    code = _cancelled(client, session, RETENTION + 1)
    purge()
    first = _dossier(session, code).erased_at
    assert purge() == 0
    assert _dossier(session, code).erased_at == first


def test_an_erased_delivered_dossier_still_verifies_and_its_images_are_gone(
    client: TestClient, session: Session
) -> None:
    """The chain hashes no personal field: after the purge every link verifies; the staff read
    the marker, and the signatures and photos answer 410 with their digests kept."""
    code, _courier = _deliver(client, session)
    _age(session, code, RETENTION + 1)
    session.commit()
    purge()
    staff = headers_for(session, STAFF_TDM)
    chain = client.get(f"/api/v1/dossiers/{code}/custody", headers=staff).json()
    assert chain["verified"] is True, chain
    assert client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["applicant_name"] == MARKER
    session.expire_all()
    proofs = session.scalars(select(HandoverProof)).all()
    assert proofs
    assert all(p.removed_at is not None and p.sha256 for p in proofs)
    first = proofs[0]
    admin = headers_for(session, "admin")
    image = client.get(f"/api/v1/handovers/{first.handover_id}/proofs/{first.id}", headers=admin)
    assert image.status_code == 410


def test_personal_data_is_never_kept_shorter_than_the_images() -> None:
    """The images go with the proof retention, before the record: a shorter setting is refused."""
    with pytest.raises(ValueError, match="PERSONAL_DATA_RETENTION_DAYS"):
        Settings(personal_data_retention_days=30, proof_retention_days=365)
