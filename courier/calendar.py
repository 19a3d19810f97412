"""Working days, pickup slots and local/UTC conversion in the service's time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from courier.dossiers.models import Slot
from courier.errors import FieldProblem
from courier.text import mark

# Public holidays come from the `holidays` package (Vietnam's labour code, lunar dates computed,
# every year); the government also announces extra days off around them, listed here as they
# are published.
_OFFICIAL = holidays.country_holidays("VN")
EXTRA_DAYS_OFF: frozenset[date] = frozenset(
    [date(2026, 2, 14) + timedelta(days=i) for i in range(9)]  # Tết Bính Ngọ, 14-22/02
)


TOO_FAR = mark("please choose a day at most %(days)s days from today")
# the days the service can mean: date arithmetic (a day's UTC start, the next day, the next
# month) runs past the calendar's ends on 0001-01-01 and 9999-12-31; the domain sets its own,
# nearer horizons
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
OUT_OF_YEARS = mark("please choose a day from %(first)s to %(last)s")


def outside_service_years(field: str, *days: date) -> list[FieldProblem]:
    """The problem of a day before `FIRST_DAY` or after `LAST_DAY` (none if all are within)."""
    if all(FIRST_DAY <= day <= LAST_DAY for day in days):
        return []
    bounds = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
    return [FieldProblem((field,), OUT_OF_YEARS, "day_out_of_range", bounds)]


def beyond_horizon(field: str, day: date, today: date, days: int) -> list[FieldProblem]:
    """The problem of a day later than `days` after today (a booking in 2099, a result date in
    9999), which would otherwise run on into date arithmetic past the calendar's end."""
    if day <= today + timedelta(days=days):
        return []
    return [FieldProblem((field,), TOO_FAR, "day_too_far", {"days": days})]


def is_holiday(day: date) -> bool:
    """A public holiday or an announced day off."""
    return day in _OFFICIAL or day in EXTRA_DAYS_OFF


SLOT_HOURS: dict[Slot, tuple[time, time]] = {
    Slot.MORNING: (time(8, 0), time(11, 30)),
    Slot.AFTERNOON: (time(13, 30), time(17, 0)),
}


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.isoweekday() <= 5 and not is_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, days: int) -> date:
    """`day` moved forward by `days` working days."""
    for _ in range(days):
        day = next_working_day(day)
    return day


def at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a day."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def slot_window(day: date, slot: Slot, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The pickup window of a slot on a day, in UTC."""
    start, end = SLOT_HOURS[slot]
    return at(day, start, zone), at(day, end, zone)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    """Today's date where the service runs."""
    return now.astimezone(zone).date()
