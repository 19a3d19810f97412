"""The rollup: added to by each stage event, rebuilt on demand, summed by the endpoints.

Each piece below is the per-dossier query's figure for one stage, grouped by the local day (and
month) the stage ended instead of by period: the sum of a site's whole months and remaining days
over a period is then the figure of the period (a period runs from local midnight to local
midnight). Increments are single
`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n` statements, so two transactions adding
to the same site-day never lose one. Adding at the event is exact because each stage happens once
(the state machine) and what its figures read of the dossier is settled by then (the slot moves
only before pickup, the due date only before the return, the receiving site never).
"""

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import FromClause, Subquery

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
from courier.stats.times import epoch, local_date, month_of

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
# before any dossier, and after 1975 (Vietnam has kept +07:00 since); and after any
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
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


def _pieces(t: FromClause, offset: int) -> dict[str, dict[str, ColumnElement[Any]]]:
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
    t: FromClause, stages: tuple[str, ...], offset: int, period: Period | None
) -> Select[Any]:
    """The site-day and site-month sums of the stages of the dossiers of `t` (ended in the
    period, if given)."""
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
    rows = union_all(*parts).cte("rows") if len(parts) > 1 else parts[0].cte("rows")
    return _grouped(rows, ["site_id"], {n: func.sum(rows.c[n]) for n in SUMS})


def _grouped(rows: FromClause, keys: list[str], sums: dict[str, ColumnElement[Any]]) -> Select[Any]:
    """The rows summed per key and day, and again per key and month, in key order (so that
    two transactions lock a site's day and month rows in the same order)."""
    key_columns = [rows.c[k] for k in keys]
    values = [v.label(n) for n, v in sums.items()]
    days = select(*key_columns, false().label("whole_month"), rows.c.day_on, *values)
    months = select(
        *key_columns, true().label("whole_month"), month_of(rows.c.day_on).label("day_on"), *values
    )
    days = days.group_by(*key_columns, rows.c.day_on)
    months = months.group_by(*key_columns, month_of(rows.c.day_on))
    both = union_all(days, months).subquery("both")
    order = [both.c[k] for k in (*keys[:1], "whole_month", "day_on", *keys[1:])]
    return select(*order, *(both.c[n] for n in sums)).where(true()).order_by(*order)


def _upsert(dialect: str, table: Table, keys: list[str], sums: list[str], rows: Any) -> Any:
    """An upsert of the rows (keys: site, whole month, day, then any other), adding their sums
    to those already there."""
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    columns = ["site_id", "whole_month", "day_on", *keys[1:], *sums]
    stmt = stmt.from_select(columns, rows) if isinstance(rows, Select) else stmt.values(rows)
    return stmt.on_conflict_do_update(
        index_elements=columns[: len(keys) + 2],
        set_={n: table.c[n] + stmt.excluded[n] for n in sums},
    )


def _add(session: Session, table: Table, keys: list[str], sums: list[str], rows: Any) -> None:
    dialect = session.get_bind().dialect.name
    session.execute(_upsert(dialect, table, keys, sums, rows))


@cache
def _adding(dialect: str, stages: tuple[str, ...], offset: int) -> Any:
    """The upsert of what one dossier's stages add (built once: building it costs more than
    running it)."""
    t = stage_times(Dossier.id == bindparam("dossier_id"), cte=True)
    return _upsert(dialect, _STATS, ["site_id"], list(SUMS), _day_rows(t, stages, offset, None))


def on_event(session: Session, dossier: Dossier, event: TrackingEvent) -> None:
    """Add what a just-written (flushed) tracking event ends to its site's day and month."""
    kind = Event(event.event)
    at = event.device_at or event.occurred_at
    if kind in FAILURES:
        day = at.astimezone(ZONE).date()
        failed = [
            {
                "site_id": dossier.receiving_site_id,
                "whole_month": whole_month,
                "day_on": day.replace(day=1) if whole_month else day,
                "reason": event.reason or "other",
                "attempts": 1,
            }
            for whole_month in (False, True)
        ]
        _add(session, _FAILURES, ["site_id", "reason"], ["attempts"], failed)
    stages = ENDS.get(kind)
    if stages:
        adding = _adding(session.get_bind().dialect.name, stages, offset_s(at))
        session.execute(adding, {"dossier_id": dossier.id})


def rebuild(
    session: Session, settings: Settings, from_on: date | None = None, to_on: date | None = None
) -> int:
    """Recompute the rollup from the tracking events: all, or the whole months from/to the
    dates; the number of site-days with figures."""
    first = (from_on or EARLIEST).replace(day=1)
    last = _next_month(to_on or LATEST) - timedelta(days=1)
    period = span(first, last, ZONE)
    for model in (SiteDayStats, SiteDayFailures):
        session.execute(delete(model).where(model.day_on >= first, model.day_on <= last))
    since = touched_since(period, settings) if from_on is not None else true()
    rows = _day_rows(stage_times(since, cte=True), STAGES, period.offset_s, period)
    _add(session, _STATS, ["site_id"], list(SUMS), rows)
    _add(session, _FAILURES, ["site_id", "reason"], ["attempts"], _failures(period))
    session.flush()
    count = select(func.count()).select_from(SiteDayStats)
    days = count.where(
        SiteDayStats.day_on.between(first, last), SiteDayStats.whole_month == false()
    )
    return session.scalar(days) or 0


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _failures(period: Period) -> Select[Any]:
    """Failed attempts per site, local day (and month) and reason, of the period."""
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
    return _grouped(inner, ["site_id", "reason"], {"attempts": func.count()})


def _ranges(period: Period) -> list[tuple[bool, date, date]]:
    """The rows that make up the period: its whole months, and the days before and after them
    (whole month or not, first and last `day_on`)."""
    start = period.from_on if period.from_on.day == 1 else _next_month(period.from_on)
    end = (period.to_on + timedelta(days=1)).replace(day=1)  # the first day after whole months
    if start >= end:
        return [(False, period.from_on, period.to_on)]
    ranges = [(True, start, end - timedelta(days=1))]
    if period.from_on < start:
        ranges.append((False, period.from_on, start - timedelta(days=1)))
    if end <= period.to_on:
        ranges.append((False, end, period.to_on))
    return ranges


def _covering(table: Table, months: tuple[bool, ...], *columns: str) -> Subquery:
    """The rows of the sites (`site_ids`) in each range (`first_i` to `last_i`, of months or of
    days), one index range each: an OR of ranges makes PostgreSQL read the whole table."""
    c = table.c
    parts = [
        select(c.site_id, *(c[n] for n in columns)).where(
            c.site_id.in_(bindparam("site_ids", expanding=True)),
            c.whole_month == (true() if whole_month else false()),
            c.day_on.between(bindparam(f"first_{i}"), bindparam(f"last_{i}")),
        )
        for i, whole_month in enumerate(months)
    ]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("covering")


@cache
def _sums_query(months: tuple[bool, ...]) -> Select[Any]:
    rows = _covering(_STATS, months, *SUMS)
    query = select(rows.c.site_id, *(func.sum(rows.c[n]).label(n) for n in SUMS))
    return query.group_by(rows.c.site_id)


@cache
def _failures_query(months: tuple[bool, ...]) -> Select[Any]:
    rows = _covering(_FAILURES, months, "reason", "attempts")
    query = select(rows.c.site_id, rows.c.reason, func.sum(rows.c.attempts))
    return query.group_by(rows.c.site_id, rows.c.reason)


def _bounds(site_ids: list[int], period: Period) -> tuple[tuple[bool, ...], dict[str, Any]]:
    """Which ranges are of months, and the parameters of the covering query."""
    ranges = _ranges(period)
    params: dict[str, Any] = {"site_ids": site_ids}
    for i, (_, first, last) in enumerate(ranges):
        params[f"first_{i}"], params[f"last_{i}"] = first, last
    return tuple(whole for whole, _, _ in ranges), params


def sums(session: Session, site_ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """Per site, the sums of its months and days in the period."""
    months, params = _bounds(site_ids, period)
    found = session.execute(_sums_query(months), params)
    return {row.site_id: dict(row._mapping) for row in found}


def failures(session: Session, site_ids: list[int], period: Period) -> list[tuple[int, str, int]]:
    """Per site and reason, the failed attempts of its months and days in the period."""
    months, params = _bounds(site_ids, period)
    found = session.execute(_failures_query(months), params)
    return [(int(s), str(r), int(n)) for s, r, n in found]
