"""The daily rollup answers exactly what the per-dossier queries answer, on both backends: as
written event by event, after a full rebuild, and after a rebuild of some days."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.settings import Settings
from courier.stats import rollup
from courier.stats import service as stats
from courier.stats.models import SiteDayFailures, SiteDayStats
from courier.stats.periods import period
from tests.courier.stats.lives import SITES, lives
from tests.courier.stats.world import make_dossier

PERIODS = [
    (date(2026, 6, 1), date(2026, 6, 30)),
    (date(2026, 6, 10), date(2026, 6, 10)),
    (date(2026, 6, 11), date(2026, 6, 17)),
    (date(2026, 5, 20), date(2026, 7, 31)),
    (date(2026, 7, 1), date(2026, 7, 1)),
    (date(2026, 5, 27), date(2026, 7, 2)),
    (date(2026, 6, 1), date(2026, 7, 3)),
]


@pytest.fixture
def sites(session: Session) -> list[Site]:
    """Eighty dossiers of varied lives at three centers (and one quiet center)."""
    for life in lives(seed=12, count=80):
        make_dossier(session, life)
    codes = (*SITES, "BD-DA")
    return list(session.scalars(select(Site).where(Site.code.in_(codes)).order_by(Site.code)))


def _check_equal(session: Session, sites: list[Site], settings: Settings) -> None:
    for first, last in PERIODS:
        span = period(first, last, settings.zone)
        assert stats.stats_of(session, sites, span, settings) == stats.stats_of_events(
            session, sites, span, settings
        ), (first, last)


def test_written_event_by_event_it_equals_the_definitions(sites, session, settings) -> None:
    """Per site and period, including periods that end or begin at a local midnight, on a world
    with late and on-time legs, failures without a reason and results collected at the counter."""
    year = period(date(2026, 5, 20), date(2026, 7, 31), settings.zone)
    found = stats.stats_of_events(session, sites, year, settings)
    total = {
        "received": sum(s.received for s in found),
        "collected": sum(s.collected_at_center for s in found),
        "late pickups": sum(s.pickup.total - s.pickup.on_time for s in found),
        "on-time pickups": sum(s.pickup.on_time for s in found),
        "late returns": sum(s.return_by_due.total - s.return_by_due.on_time for s in found),
        "end to end": sum(s.end_to_end.on_time for s in found),
        "late arrivals": sum(s.arrival.total - s.arrival.on_time for s in found),
        "other failures": sum(s.failed_attempts.get("other", 0) for s in found),
    }
    assert all(total.values()), total
    _check_equal(session, sites, settings)


def test_a_period_in_another_zone_is_read_from_the_events(sites, session, settings) -> None:
    """The rollup's days are Vietnam's: Tokyo's June (+09:00) is answered by the definitions."""
    tokyo = period(date(2026, 6, 1), date(2026, 6, 30), ZoneInfo("Asia/Tokyo"))
    found = stats.stats_of(session, sites, tokyo, settings)
    assert found == stats.stats_of_events(session, sites, tokyo, settings)
    vietnam = period(date(2026, 6, 1), date(2026, 6, 30), settings.zone)
    assert found != stats.stats_of(session, sites, vietnam, settings)


def test_a_full_rebuild_gives_the_same_rows(sites, session, settings) -> None:
    """Rebuilding from the events leaves the rollup as the events wrote it."""
    before = _rows(session)
    rollup.rebuild(session, settings)
    assert _rows(session) == before
    _check_equal(session, sites, settings)


def test_a_rebuild_of_some_days_mends_only_those(sites, session, settings) -> None:
    """Days lost from the rollup come back from a rebuild of their span; other days are kept."""
    before = _rows(session)
    lost = (date(2026, 6, 5), date(2026, 6, 20))
    for model in (SiteDayStats, SiteDayFailures):
        session.execute(delete(model).where(model.day_on.between(*lost)))
    rollup.rebuild(session, settings, *lost)
    assert _rows(session) == before
    _check_equal(session, sites, settings)


def _rows(session: Session) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every rollup row, seconds rounded (sums added in another order differ in the last bits)."""
    days = session.execute(
        select(SiteDayStats.__table__).order_by("site_id", "day_on", "whole_month")
    )
    failures = session.execute(select(SiteDayFailures.__table__))
    return [tuple(round(v, 3) if isinstance(v, float) else v for v in r) for r in days], sorted(
        tuple(r) for r in failures
    )
