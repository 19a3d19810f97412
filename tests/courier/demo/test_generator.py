"""Generated demo bookings are deterministic, realistic and inside the province."""

import re
from collections import Counter
from datetime import date

import pytest

from courier.demo.data import PROCEDURES, PROVINCE_BOUNDS, SOUTHERN_DISTRICTS
from courier.demo.generator import BookingSpec, generate_bookings
from courier.dossiers.models import ResultReturn, Slot
from courier.dossiers.phones import normalise_mobile

DAY = date(2026, 3, 10)
VN_MOBILE = re.compile(r"^0(3[2-9]|5[689]|7[06-9]|8[1-9]|9\d)\d{7}$")


@pytest.fixture(scope="module")
def bookings() -> list[BookingSpec]:
    """A day's worth of bookings for a fixed seed."""
    return generate_bookings(DAY, 1000, seed=7)


def test_same_seed_gives_the_same_bookings() -> None:
    assert generate_bookings(DAY, 50, seed=3) == generate_bookings(DAY, 50, seed=3)


def test_different_seeds_give_different_bookings() -> None:
    assert generate_bookings(DAY, 50, seed=3) != generate_bookings(DAY, 50, seed=4)


def test_yields_the_requested_count(bookings: list[BookingSpec]) -> None:
    assert len(bookings) == 1000
    assert generate_bookings(DAY, 0, seed=1) == []


def test_every_booking_is_inside_the_province(bookings: list[BookingSpec]) -> None:
    south, west, north, east = PROVINCE_BOUNDS
    assert all(south <= b.lat <= north and west <= b.lon <= east for b in bookings)


def test_most_bookings_come_from_the_three_southern_cities(bookings: list[BookingSpec]) -> None:
    southern = sum(1 for b in bookings if any(d in b.address_text for d in SOUTHERN_DISTRICTS))
    assert southern > 0.6 * len(bookings)


def test_phones_are_vietnamese_mobiles(bookings: list[BookingSpec]) -> None:
    assert [b.phone for b in bookings if not VN_MOBILE.match(b.phone)] == []


def test_phones_pass_the_booking_phone_check(bookings: list[BookingSpec]) -> None:
    assert all(normalise_mobile(b.phone).startswith("+84") for b in bookings)


def test_procedure_codes_exist(bookings: list[BookingSpec]) -> None:
    assert {b.procedure_code for b in bookings} <= {p.code for p in PROCEDURES}


def test_civil_status_is_booked_more_often_than_land(bookings: list[BookingSpec]) -> None:
    field = {p.code: p.field for p in PROCEDURES}
    counts = Counter(field[b.procedure_code] for b in bookings)
    assert counts["civil_status"] > 2 * counts["land"]


def test_slots_and_returns_follow_their_shares(bookings: list[BookingSpec]) -> None:
    mornings = sum(1 for b in bookings if b.slot == Slot.MORNING)
    by_post = sum(1 for b in bookings if b.result_return == ResultReturn.POST)
    assert 0.5 < mornings / len(bookings) < 0.7
    assert 0.6 < by_post / len(bookings) < 0.8


def test_bookings_prefer_the_given_day(bookings: list[BookingSpec]) -> None:
    assert {b.preferred_on for b in bookings} == {DAY}


def test_addresses_name_the_province_and_names_vary(bookings: list[BookingSpec]) -> None:
    assert all(b.address_text.endswith("Bình Dương") for b in bookings)
    assert len({b.applicant_name for b in bookings}) > 300
    assert all(len(b.applicant_name.split()) >= 3 for b in bookings)
