"""The two grouped queries behind the statistics: per-dossier stage times, then per-site sums."""

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.sql.selectable import CTE, FromClause, Subquery

from courier.calendar import SLOT_HOURS
from courier.dossiers.models import Dossier, Slot, TrackingEvent
from courier.dossiers.states import Event
from courier.settings import Settings
from courier.stats.periods import Period
from courier.stats.times import days_between, epoch, local_date

FAILURES = (Event.PICKUP_FAIL, Event.DELIVERY_FAIL, Event.COUNTER_FAIL)
# the first event of each stage, by the name of its time in the per-dossier row
STAGES: dict[str, tuple[Event, ...]] = {
    "booked_at": (Event.BOOK,),
    "picked_up_at": (Event.PICK_UP,),
    "received_at": (Event.RECEIVE_AT_CENTER,),
    "ready_at": (Event.RESULT_READY,),
    "returned_at": (Event.DELIVER, Event.COLLECT_AT_CENTER),
    "collected_at": (Event.COLLECT_AT_CENTER,),
}
AT = func.coalesce(TrackingEvent.device_at, TrackingEvent.occurred_at)


def _values(events: tuple[Event, ...]) -> list[str]:
    return [e.value for e in events]


def touched_since(period: Period, settings: Settings) -> ColumnElement[bool]:
    """Dossiers changed since the period began: the others have no stage in it.

    Every stage goes through `apply_event`, which sets `status_changed_at` to the server's time,
    and a device's time is never ahead of the server's by more than the allowed skew.
    """
    return Dossier.status_changed_at >= period.start - timedelta(
        seconds=settings.clock_skew_seconds
    )


def stage_times(*where: ColumnElement[bool], cte: bool = False) -> Subquery | CTE:
    """One row per dossier meeting the conditions, with its site, slot, due date and stage times
    (as a CTE, for a statement that reads it more than once)."""
    wanted = [e for events in STAGES.values() for e in events]
    stages = [
        func.min(case((TrackingEvent.event.in_(_values(events)), AT))).label(name)
        for name, events in STAGES.items()
    ]
    query = (
        select(
            Dossier.id,
            Dossier.receiving_site_id.label("site_id"),
            Dossier.preferred_on,
            Dossier.slot,
            Dossier.due_on,
            *stages,
        )
        .join(TrackingEvent, TrackingEvent.dossier_id == Dossier.id)
        .where(*where, TrackingEvent.event.in_(_values(tuple(wanted))))
        .group_by(Dossier.id, Dossier.receiving_site_id, Dossier.preferred_on, Dossier.slot)
        .group_by(Dossier.due_on)
    )
    return query.cte("stage_times") if cte else query.subquery("stage_times")


def within(at: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    return and_(at >= period.start, at < period.end)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


def _seconds(clock: Any) -> int:
    return int(clock.hour * 3600 + clock.minute * 60)


def on_time_conditions(
    t: FromClause, offset_s: int
) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """Pickup in the citizen's slot, received the day it was picked up, returned by the due date."""
    offset = literal(offset_s)
    hours = {slot: tuple(map(_seconds, SLOT_HOURS[slot])) for slot in Slot}
    opens = case({s: h[0] for s, h in hours.items()}, value=t.c.slot)
    closes = case({s: h[1] for s, h in hours.items()}, value=t.c.slot)
    into_day = epoch(t.c.picked_up_at) + offset - epoch(t.c.preferred_on)
    pickup = and_(into_day >= opens, into_day <= closes)
    arrival = and_(
        t.c.picked_up_at.is_not(None),
        local_date(t.c.received_at, offset) == local_date(t.c.picked_up_at, offset),
    )
    by_due = and_(t.c.due_on.is_not(None), local_date(t.c.returned_at, offset) <= t.c.due_on)
    return pickup, arrival, by_due


def _average(start: ColumnElement[Any], end: ColumnElement[Any], period: Period) -> Any:
    return func.avg(case((and_(within(end, period), start.is_not(None)), days_between(start, end))))


def legs_query(site_ids: list[int], period: Period, settings: Settings) -> Select[Any]:
    """Per site: dossiers received and returned, on time per leg, average days per stage."""
    t = stage_times(Dossier.receiving_site_id.in_(site_ids), touched_since(period, settings))
    picked, received, returned = (
        within(t.c[name], period) for name in ("picked_up_at", "received_at", "returned_at")
    )
    pickup, arrival, by_due = on_time_conditions(t, period.offset_s)
    return select(
        t.c.site_id,
        _count(received).label("received"),
        _count(returned).label("returned"),
        _count(within(t.c.collected_at, period)).label("collected"),
        _count(and_(picked, pickup)).label("pickup_on_time"),
        _count(picked).label("picked_up"),
        _count(and_(received, arrival)).label("arrival_on_time"),
        _count(and_(returned, by_due)).label("return_on_time"),
        _count(and_(returned, pickup, arrival, by_due)).label("end_to_end_on_time"),
        _average(t.c.booked_at, t.c.picked_up_at, period).label("booked_to_picked_up"),
        _average(t.c.picked_up_at, t.c.received_at, period).label("picked_up_to_received"),
        _average(t.c.received_at, t.c.ready_at, period).label("received_to_result_ready"),
        _average(t.c.ready_at, t.c.returned_at, period).label("result_ready_to_returned"),
    ).group_by(t.c.site_id)


def failures_query(
    site_ids: list[int], period: Period, settings: Settings
) -> Select[int, str | None, int]:
    """Per site and reason: the failed attempts (at a citizen's door or a counter) in the period."""
    return (
        select(Dossier.receiving_site_id, TrackingEvent.reason, func.count())
        .join(TrackingEvent, TrackingEvent.dossier_id == Dossier.id)
        .where(
            Dossier.receiving_site_id.in_(site_ids),
            touched_since(period, settings),
            TrackingEvent.event.in_(_values(FAILURES)),
            within(AT, period),
        )
        .group_by(Dossier.receiving_site_id, TrackingEvent.reason)
    )
