"""The printed route sheet's window: with its dates when it does not lie within the stop's day."""

from datetime import time, timedelta

from courier import calendar
from courier.planning import sheets
from courier.settings import Settings
from tests.builders import booking_day


def test_the_route_sheet_prints_the_dates_of_a_window_over_two_days(settings: Settings) -> None:
    """The printed sheet's window text: dates when the window leaves the stop's day."""
    day = booking_day()
    zone = settings.zone
    over = (
        calendar.at(day, time(13, 30), zone),
        calendar.at(day + timedelta(days=1), time(17), zone),
    )
    within = (calendar.at(day, time(13, 30), zone), calendar.at(day, time(17), zone))
    shown = f"{day:%d/%m} 13:30 - {day + timedelta(days=1):%d/%m} 17:00"
    assert sheets.window_text(over, day, zone) == shown
    assert sheets.window_text(within, day, zone) == "13:30-17:00"


def test_a_page_joins_the_windows_ends_with_its_own_dash(settings: Settings) -> None:
    """The dispatcher's page and the printed sheet share one rule; only the dash differs."""
    day = booking_day()
    zone = settings.zone
    over = (
        calendar.at(day, time(13, 30), zone),
        calendar.at(day + timedelta(days=1), time(17), zone),
    )
    within = (calendar.at(day, time(13, 30), zone), calendar.at(day, time(17), zone))
    shown = f"{day:%d/%m} 13:30 – {day + timedelta(days=1):%d/%m} 17:00"
    assert sheets.window_text(over, day, zone, "–") == shown
    assert sheets.window_text(within, day, zone, "–") == "13:30–17:00"
