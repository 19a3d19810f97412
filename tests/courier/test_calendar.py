"""Working days: weekends, Vietnam's public holidays in any year, announced extra days off."""

from datetime import date

import pytest

from courier import calendar


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 9, 2),  # National Day
        date(2026, 2, 20),  # announced Tết break (Friday)
        date(2028, 1, 26),  # first day of Tết Mậu Thân: a lunar date, far beyond any table
        date(2031, 4, 30),  # Reunification Day
    ],
)
def test_holidays_are_not_working_days(day: date) -> None:
    """A public holiday in any year is not a working day, even on a weekday."""
    assert day.isoweekday() <= 5
    assert not calendar.is_working_day(day)


def test_an_ordinary_weekday_is_a_working_day() -> None:
    """A plain Tuesday is a working day; the Saturday after it is not."""
    assert calendar.is_working_day(date(2026, 12, 1))
    assert not calendar.is_working_day(date(2026, 12, 5))


def test_next_working_day_skips_the_tet_break() -> None:
    """The working day after the last one before Tết Bính Ngọ is after the announced break."""
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
