"""Statistics per receiving site and period, every figure aggregated by the database.

Definitions (also in the README, "Statistics"): a stage happens at its tracking event's time,
the device's time for a handover and the server's otherwise; each figure counts the dossiers of
the site whose stage ends in the period. The per-dossier queries (`stats_of_events`) are the
definitions; the endpoints sum the daily rollup (`courier.stats.rollup`), which equals them.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.actors import Actor
from courier.catalogue.models import Site
from courier.enums import Role, SiteKind
from courier.errors import NotFound, PermissionDenied
from courier.settings import Settings
from courier.stats import rollup
from courier.stats.models import STAGE_SPANS
from courier.stats.periods import Period
from courier.stats.queries import failures_query, legs_query
from courier.text import mark

# catalogue ids: the API answers them in the caller's language
STATS_FOR_CENTERS = mark("Only admins and a center's staff or system read its statistics.")
STATS_OF_ANOTHER = mark("A center's statistics are for its staff, its system and admins.")
NO_CENTER = mark("No center %(code)s.")

HALF_UP = 1e-9
CENTER_KINDS = (SiteKind.PROVINCIAL_CENTER, SiteKind.BRANCH, SiteKind.RECEPTION_POINT)


@dataclass(frozen=True, slots=True)
class OnTime:
    """How many of a leg's dossiers were on time, out of how many."""

    on_time: int
    total: int

    @property
    def rate(self) -> float | None:
        """The share on time, or None when there was none."""
        return round(self.on_time / self.total, 4) if self.total else None


@dataclass(frozen=True, slots=True)
class StageDays:
    """Average days spent at each stage, over the dossiers whose stage ended in the period."""

    booked_to_picked_up: float | None
    picked_up_to_received: float | None
    received_to_result_ready: float | None
    result_ready_to_returned: float | None


@dataclass(frozen=True, slots=True)
class SiteStats:
    """One site's figures over a period."""

    site_code: str
    site_name_vi: str
    site_name_en: str
    from_on: date
    to_on: date
    received: int
    returned: int
    delivered: int
    collected_at_center: int
    pickup: OnTime
    arrival: OnTime
    return_by_due: OnTime
    end_to_end: OnTime
    failed_attempts: dict[str, int]
    average_days: StageDays


def visible_sites(session: Session, actor: Actor) -> list[Site]:
    """The centers whose statistics the actor may read: all for admins, else their own site."""
    query = select(Site).where(Site.kind.in_(CENTER_KINDS)).order_by(Site.code)
    if actor.is_admin:
        return list(session.scalars(query))
    bound = actor.has_role(Role.CENTER_STAFF) or actor.kind == "api_key"
    if not bound or actor.site_id is None:
        raise PermissionDenied(STATS_FOR_CENTERS)
    return list(session.scalars(query.where(Site.id == actor.site_id)))


def site_stats(
    session: Session, actor: Actor, code: str, period: Period, settings: Settings
) -> SiteStats:
    """The figures of one center; `NotFound` for no such center, `PermissionDenied` if not theirs."""
    site = next((s for s in visible_sites(session, actor) if s.code == code), None)
    if site is None:
        query = select(Site.id).where(Site.code == code, Site.kind.in_(CENTER_KINDS))
        if session.scalar(query) is None:
            raise NotFound(NO_CENTER, params={"code": code})
        raise PermissionDenied(STATS_OF_ANOTHER)
    return stats_of(session, [site], period, settings)[0]


def all_site_stats(
    session: Session, actor: Actor, period: Period, settings: Settings
) -> list[SiteStats]:
    """The figures of every center the actor may see, one each, by code."""
    return stats_of(session, visible_sites(session, actor), period, settings)


def stats_of(
    session: Session, sites: list[Site], period: Period, settings: Settings
) -> list[SiteStats]:
    """The figures of the sites: their days summed from the rollup (at most 366 rows each)."""
    if not sites or period.offset_s != rollup.offset_s(period.start):
        return stats_of_events(session, sites, period, settings)
    ids = [s.id for s in sites]
    figures = {
        site_id: _averaged(sums) for site_id, sums in rollup.sums(session, ids, period).items()
    }
    return _gathered(sites, period, figures, rollup.failures(session, ids, period))


def stats_of_events(
    session: Session, sites: list[Site], period: Period, settings: Settings
) -> list[SiteStats]:
    """The figures of the sites from their dossiers' tracking events (the definitions)."""
    if not sites:
        return []
    ids = [s.id for s in sites]
    legs = {
        row.site_id: dict(row._mapping)
        for row in session.execute(legs_query(ids, period, settings))
    }
    failed = [
        (s, r or "other", n) for s, r, n in session.execute(failures_query(ids, period, settings))
    ]
    return _gathered(sites, period, legs, failed)


def _averaged(sums: dict[str, Any]) -> dict[str, Any]:
    """The rollup's sums with each stage's average days in place of its count and seconds."""
    averages = {
        name: sums[f"{name}_s"] / sums[f"{name}_n"] / 86400.0 if sums[f"{name}_n"] else None
        for name in STAGE_SPANS
    }
    return {**sums, **averages}


def _gathered(
    sites: list[Site],
    period: Period,
    figures: dict[int, dict[str, Any]],
    failures: list[tuple[int, str, int]],
) -> list[SiteStats]:
    """Each site's figures, failures added up per reason (no reason counts as "other")."""
    failed: dict[int, dict[str, int]] = {}
    for site_id, reason, n in failures:
        mine = failed.setdefault(site_id, {})
        mine[reason] = mine.get(reason, 0) + n
    return [_site_stats(s, period, figures.get(s.id), failed.get(s.id, {})) for s in sites]


def _site_stats(
    site: Site, period: Period, row: dict[str, Any] | None, failed: dict[str, int]
) -> SiteStats:
    """One site's figures from its grouped row (None when nothing happened there)."""

    def n(name: str) -> int:
        return int(row[name] or 0) if row is not None else 0

    def days(name: str) -> float | None:
        value = row[name] if row is not None else None
        # halves round up: an average at exactly x.xx5 days (times in whole minutes make them)
        # must not round by the last bit of how the database added it up
        return None if value is None else round(float(value) + HALF_UP, 2)

    return SiteStats(
        site_code=site.code,
        site_name_vi=site.name_vi,
        site_name_en=site.name_en,
        from_on=period.from_on,
        to_on=period.to_on,
        received=n("received"),
        returned=n("returned"),
        delivered=n("returned") - n("collected"),
        collected_at_center=n("collected"),
        pickup=OnTime(n("pickup_on_time"), n("picked_up")),
        arrival=OnTime(n("arrival_on_time"), n("received")),
        return_by_due=OnTime(n("return_on_time"), n("returned")),
        end_to_end=OnTime(n("end_to_end_on_time"), n("returned")),
        failed_attempts=dict(sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))),
        average_days=StageDays(
            days("booked_to_picked_up"),
            days("picked_up_to_received"),
            days("received_to_result_ready"),
            days("result_ready_to_returned"),
        ),
    )
