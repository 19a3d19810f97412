"""The center's day: who carries a dossier to the center and when the published plan brings it."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.dossiers import today
from courier.dossiers.models import Dossier, DossierStatus, Job, JobKind, Leg
from courier.enums import PartyKind
from courier.planning.models import PlanStatus
from tests.builders import book, courier_id, make_plan_stop

COURIER = "BD-CR-TDM-01"


def test_a_carried_dossier_shows_its_courier_and_the_published_arrival(
    client: TestClient, session: Session
) -> None:
    """The courier holding the dossier is named; the arrival is the published plan's, never that
    of a plan only built; a dossier in no plan has a courier and no arrival."""
    carried, waiting = (book(client)["tracking_code"] for _ in range(2))
    ids = []
    for code in (carried, waiting):
        dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
        dossier.status = DossierStatus.PICKED_UP
        dossier.holder_kind = PartyKind.COURIER
        dossier.holder_id = courier_id(session, COURIER)
        ids.append(dossier.id)
    delivery = session.scalars(
        select(Job.id).where(
            Job.dossier_id == ids[0], Job.leg == Leg.INBOUND, Job.kind == JobKind.DELIVERY
        )
    ).one()
    published = datetime(2026, 12, 7, 3, 30, tzinfo=UTC)
    earlier = published - timedelta(hours=1)
    courier = courier_id(session, COURIER)
    for status, arrival in ((PlanStatus.PUBLISHED, published), (PlanStatus.BUILT, earlier)):
        make_plan_stop(session, status=status, job_id=delivery, courier=courier, arrival=arrival)
    found = today.carriers(session, ids)
    assert found[ids[0]].courier_name == "Nguyễn Văn Hùng"
    expected = found[ids[0]].expected_at
    assert expected is not None
    assert expected.replace(tzinfo=UTC) == published
    assert found[ids[1]] == today.Carrier("Nguyễn Văn Hùng", None)
