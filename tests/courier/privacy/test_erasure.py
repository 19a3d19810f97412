"""Erasure reaches past the dossier's own rows: the stored problems of the plans that routed it
and the notes staff wrote when postponing it."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier
from courier.planning.models import PlanPart
from courier.privacy.erasure import MARKER, erase
from courier.proofs.models import Postponement
from courier.settings import Settings
from tests.builders import book, booking_day, headers_for
from tests.courier.planning.bookings import DEPOT

ERASED = (10.9815, 106.6571)
KEPT = (10.9755, 106.6512)


def _dossier(session: Session, code: str) -> Dossier:
    session.expire_all()
    return session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()


def _points(session: Session) -> set[tuple[float, float]]:
    """Every job end's point in every stored plan part."""
    session.expire_all()
    found = set()
    for part in session.scalars(select(PlanPart)):
        for job in part.problem["jobs"]:
            for call in (job["pickup"], job["delivery"]):
                if call is not None:
                    found.add((call["point"]["lat"], call["point"]["lon"]))
    return found


def _erase(session: Session, code: str) -> None:
    erase(session, _dossier(session, code), now=datetime.now(UTC))
    session.commit()


def test_an_erased_dossier_leaves_no_point_in_stored_plans(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """Two dossiers routed in a built plan, one erased: its point is gone from every plan part
    (the erased point (0, 0) stands in its place); the other's is still there."""
    settings.plan_part_seconds = 1
    erased = book(client, lat=ERASED[0], lon=ERASED[1])["tracking_code"]
    book(client, lat=KEPT[0], lon=KEPT[1])
    body: dict[str, Any] = {"service_on": booking_day().isoformat(), "depots": [DEPOT]}
    answer = client.post("/api/v1/plans", json=body, headers=headers_for(session, "dispatch.tdm"))
    assert answer.status_code == 202, answer.text
    assert {ERASED, KEPT} <= _points(session)
    _erase(session, erased)
    points = _points(session)
    assert ERASED not in points
    assert {KEPT, (0.0, 0.0)} <= points


def test_an_erased_dossier_keeps_no_postponement_note(client: TestClient, session: Session) -> None:
    """The notes staff wrote when postponing the dossier become the marker; another dossier's
    note and an empty note stay as they were."""
    erased, kept = (book(client)["tracking_code"] for _ in range(2))
    due = booking_day() + timedelta(days=10)
    for code, note in ((erased, "Chị An gọi xin hoãn"), (erased, ""), (kept, "Anh Bình gọi")):
        session.add(
            Postponement(
                dossier_id=_dossier(session, code).id, new_due_on=due, reason="other", note=note
            )
        )
    session.commit()
    _erase(session, erased)
    notes = session.execute(
        select(Dossier.tracking_code, Postponement.note)
        .join(Postponement, Postponement.dossier_id == Dossier.id)
        .where(Dossier.tracking_code.in_([erased, kept]))
        .order_by(Postponement.id)
    ).all()
    assert [tuple(row) for row in notes] == [(erased, MARKER), (erased, ""), (kept, "Anh Bình gọi")]
