"""The daily rollup: added to by each stage event, rebuilt on demand, summed by the endpoints.

Each piece below is the per-dossier query's figure for one stage, grouped by the local day the
stage ended instead of by period: the sum of a site's days over a period is then the figure of
the period (a period runs from local midnight to local midnight). Increments are single
`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n` statements, so two transactions adding
to the same site-day never lose one.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from courier.dossiers.models import Dossier, TrackingEvent
from courier.dossiers.states import Event
from courier.settings import Settings
from courier.stats.models import SUMS, SiteDayFailures, SiteDayStats
from courier.stats.periods import Period, span
from courier.stats.queries import (
    AT,
    FAILURES,
    on_time_conditions,
    stage_times,
    touched_since,
    within,
)
from courier.stats.times import epoch, local_date

# the days of the rollup are Vietnam's; periods in another zone are read from the events
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# the stages (times of `stage_times`) the rollup counts, and those that each event may end
STAGES = ("picked_up_at", "received_at", "ready_at", "returned_at", "collected_at")
ENDS: dict[Event, tuple[str, ...]] = {
    Event.PICK_UP: ("picked_up_at",),
    Event.RECEIVE_AT_CENTER: ("received_at",),
    Event.RESULT_READY: ("ready_at",),
    Event.DELIVER: ("returned_at",),
    Event.COLLECT_AT_CENTER: ("returned_at", "collected_at"),
}
# before any dossier, and after 1975 (Vietnam has kept +07:00 since)
EARLIEST = date(2000, 1, 1)
_STATS: Table = SiteDayStats.__table__  # type: ignore[assignment]
_FAILURES: Table = SiteDayFailures.__table__  # type: ignore[assignment]


def offset_s(at: datetime) -> int:
    """The rollup zone's distance from UTC at that instant, in seconds."""
    offset = at.astimezone(ZONE).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _span(name: str, start: Any, end: Any) -> dict[str, ColumnElement[Any]]:
    """A stage's count and sum of seconds, over the dossiers where it began."""
    began = start.is_not(None)
    return {
        f"{name}_n": _flag(began),
        f"{name}_s": case((began, epoch(end) - epoch(start)), else_=literal(0.0)),
    }


def _pieces(t: Subquery, offset: int) -> dict[str, dict[str, ColumnElement[Any]]]:
    """Per stage, what a dossier whose stage ended on a day adds to that day's figures."""
    pickup, arrival, by_due = on_time_conditions(t, offset)
    c = t.c
    one = literal(1)
    return {
        "picked_up_at": {
            "picked_up": one,
            "pickup_on_time": _flag(pickup),
            **_span("booked_to_picked_up", c.booked_at, c.picked_up_at),
        },
        "received_at": {
            "received": one,
            "arrival_on_time": _flag(arrival),
            **_span("picked_up_to_received", c.picked_up_at, c.received_at),
        },
        "ready_at": _span("received_to_result_ready", c.received_at, c.ready_at),
        "returned_at": {
            "returned": one,
            "return_on_time": _flag(by_due),
            "end_to_end_on_time": _flag(and_(pickup, arrival, by_due)),
            **_span("result_ready_to_returned", c.ready_at, c.returned_at),
        },
        "collected_at": {"collected": one},
    }


def _day_rows(
    t: Subquery, stages: tuple[str, ...], offset: int, period: Period | None
) -> Select[Any]:
    """The site-day sums of the stages of the dossiers of `t` (ended in the period, if given)."""
    pieces = _pieces(t, offset)
    parts = []
    for stage in stages:
        at = t.c[stage]
        zero = {name: literal(0.0 if name.endswith("_s") else 0) for name in SUMS}
        columns = {**zero, **pieces[stage]}
        part = select(
            t.c.site_id,
            local_date(at, literal(offset)).label("day_on"),
            *(columns[name].label(name) for name in SUMS),
        ).where(at.is_not(None), within(at, period) if period is not None else true())
        parts.append(part)
    rows = union_all(*parts).subquery("rows") if len(parts) > 1 else parts[0].subquery("rows")
    return (
        select(rows.c.site_id, rows.c.day_on, *(func.sum(rows.c[n]).label(n) for n in SUMS))
        .where(true())  # SQLite reads the ON of an upsert after a bare FROM as a join's
        .group_by(rows.c.site_id, rows.c.day_on)
    )


def _insert(session: Session, table: Table) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _add(session: Session, table: Table, keys: list[str], sums: list[str], rows: Any) -> None:
    """Upsert the rows, adding their sums to those already there."""
    stmt = _insert(session, table)
    stmt = stmt.from_select(keys + sums, rows) if isinstance(rows, Select) else stmt.values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=keys, set_={n: table.c[n] + stmt.excluded[n] for n in sums}
        )
    )


def on_event(session: Session, dossier: Dossier, event: TrackingEvent) -> None:
    """Add what a just-written (flushed) tracking event ends to its site-day in the rollup."""
    kind = Event(event.event)
    at = event.device_at or event.occurred_at
    if kind in FAILURES:
        row = {
            "site_id": dossier.receiving_site_id,
            "day_on": at.astimezone(ZONE).date(),
            "reason": event.reason or "other",
            "attempts": 1,
        }
        _add(session, _FAILURES, ["site_id", "day_on", "reason"], ["attempts"], row)
    stages = ENDS.get(kind)
    if stages:
        rows = _day_rows(stage_times(Dossier.id == dossier.id), stages, offset_s(at), None)
        _add(session, _STATS, ["site_id", "day_on"], list(SUMS), rows)


def rebuild(
    session: Session, settings: Settings, from_on: date | None = None, to_on: date | None = None
) -> int:
    """Recompute the rollup's days from the tracking events (all, or those from/to the dates)."""
    first, last = from_on or EARLIEST, to_on or date(9999, 12, 30)
    period = span(first, last, ZONE)
    for model in (SiteDayStats, SiteDayFailures):
        session.execute(delete(model).where(model.day_on >= first, model.day_on <= last))
    since = touched_since(period, settings) if from_on is not None else true()
    rows = _day_rows(stage_times(since), STAGES, period.offset_s, period)
    _add(session, _STATS, ["site_id", "day_on"], list(SUMS), rows)
    _add(session, _FAILURES, ["site_id", "day_on", "reason"], ["attempts"], _failures(period))
    session.flush()
    count = select(func.count()).select_from(SiteDayStats)
    return session.scalar(count.where(SiteDayStats.day_on.between(first, last))) or 0


def _failures(period: Period) -> Select[Any]:
    """Failed attempts per site, local day and reason, of the period."""
    inner = (
        select(
            Dossier.receiving_site_id.label("site_id"),
            local_date(AT, literal(period.offset_s)).label("day_on"),
            func.coalesce(TrackingEvent.reason, "other").label("reason"),
        )
        .join(TrackingEvent, TrackingEvent.dossier_id == Dossier.id)
        .where(TrackingEvent.event.in_([e.value for e in FAILURES]), within(AT, period))
        .subquery("failures")
    )
    return (
        select(inner.c.site_id, inner.c.day_on, inner.c.reason, func.count().label("attempts"))
        .where(true())
        .group_by(inner.c.site_id, inner.c.day_on, inner.c.reason)
    )


def sums(session: Session, site_ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """Per site, the sums of its days in the period."""
    c = _STATS.c
    query = (
        select(c.site_id, *(func.sum(c[n]).label(n) for n in SUMS))
        .where(c.site_id.in_(site_ids), c.day_on.between(period.from_on, period.to_on))
        .group_by(c.site_id)
    )
    return {row.site_id: dict(row._mapping) for row in session.execute(query)}


def failures(session: Session, site_ids: list[int], period: Period) -> list[tuple[int, str, int]]:
    """Per site and reason, the failed attempts of its days in the period."""
    c = _FAILURES.c
    query = (
        select(c.site_id, c.reason, func.sum(c.attempts))
        .where(c.site_id.in_(site_ids), c.day_on.between(period.from_on, period.to_on))
        .group_by(c.site_id, c.reason)
    )
    return [(int(s), str(r), int(n)) for s, r, n in session.execute(query)]
