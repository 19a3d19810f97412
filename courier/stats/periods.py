"""A statistics period: inclusive local dates, turned into a half-open UTC interval."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from courier import calendar
from courier.errors import FieldProblem, InvalidInput
from courier.text import mark

MAX_DAYS = 366
TOO_LONG = mark("a period covers at most %(days)s days")
REVERSED = mark("the period ends before it begins")


@dataclass(frozen=True, slots=True)
class Period:
    """From the first local midnight of `from_on` to the local midnight after `to_on` (UTC)."""

    from_on: date
    to_on: date
    start: datetime
    end: datetime
    # the zone's distance from UTC in the period; Asia/Ho_Chi_Minh has kept +07:00 since 1975
    offset_s: int


def period(from_on: date, to_on: date, zone: ZoneInfo) -> Period:
    """The period of those inclusive dates in the zone; `InvalidInput` if reversed or too long."""
    # the dates are query parameters (of the API and of the report pages)
    if problems := calendar.outside_service_years("from", from_on, to_on):
        raise InvalidInput([replace(p, loc=("query", *p.loc)) for p in problems])
    if to_on < from_on:
        raise InvalidInput([FieldProblem(("query", "to"), REVERSED, "period_reversed")])
    if (to_on - from_on).days + 1 > MAX_DAYS:
        days = {"days": MAX_DAYS}
        raise InvalidInput([FieldProblem(("query", "to"), TOO_LONG, "period_too_long", days)])
    return span(from_on, to_on, zone)


def span(from_on: date, to_on: date, zone: ZoneInfo) -> Period:
    """The period of those inclusive dates, however long (the rollup's rebuild takes years)."""
    start = calendar.at(from_on, time.min, zone)
    offset = datetime.combine(from_on, time.min, tzinfo=zone).utcoffset() or timedelta()
    return Period(
        from_on,
        to_on,
        start,
        calendar.at(to_on + timedelta(days=1), time.min, zone),
        int(offset.total_seconds()),
    )
