"""Transactions adding to the same site-day at once lose no increment (committed databases)."""

from datetime import date
from typing import Any

from sqlalchemy import select

from courier.catalogue.models import Site
from courier.dossiers.models import Slot
from courier.dossiers.states import Event
from courier.stats.models import SiteDayFailures, SiteDayStats
from tests.courier.stats.world import Life, Step, local, make_dossier
from tests.race import race

DAY = date(2026, 6, 10)
WRITERS = 4


def _picked_up(committed: Any) -> None:
    """One dossier of BD-TDM picked up on DAY after a failed visit, in its own transaction."""
    steps = [
        Step(Event.BOOK, local(date(2026, 6, 8), 10)),
        Step(Event.PICKUP_FAIL, local(DAY, 8), "not_home"),
        Step(Event.PICK_UP, local(DAY, 9)),
    ]
    with committed() as session, session.begin():
        make_dossier(session, Life("BD-TDM", DAY, Slot.MORNING, steps))


def test_concurrent_stage_events_all_count(committed: Any) -> None:
    """Four pickups and four failures written at once at one site on one day count four each,
    in the day's rows and the month's."""
    race(*[lambda: _picked_up(committed)] * WRITERS)
    with committed() as session:
        site_id = session.scalar(select(Site.id).where(Site.code == "BD-TDM"))
        day = session.get_one(SiteDayStats, (site_id, False, DAY))
        failed = session.get_one(SiteDayFailures, (site_id, False, DAY, "not_home"))
        month = session.get_one(SiteDayStats, (site_id, True, DAY.replace(day=1)))
        assert (day.picked_up, day.pickup_on_time, failed.attempts) == (WRITERS,) * 3
        assert month.picked_up == WRITERS
