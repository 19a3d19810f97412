"""The slots a citizen can still choose: working days, a site's Saturday mornings, not the past."""

from datetime import UTC, date, datetime, time

from courier.catalogue.models import Site
from courier.dossiers.models import Slot
from courier.dossiers.slots import available, serves
from courier.settings import Settings

SETTINGS = Settings(environment="test", secret_key="test-secret-key-long-enough-for-hs256")
# Tuesday 01/12/2026 in Vietnam (UTC+7)
TUESDAY = date(2026, 12, 1)


def _site(saturday_morning: bool) -> Site:
    return Site(
        code="X",
        morning_opens=time(7, 30),
        morning_closes=time(11, 30),
        afternoon_opens=time(13, 0),
        afternoon_closes=time(17, 0),
        open_weekdays="12345",
        saturday_morning=saturday_morning,
    )


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SETTINGS.zone).astimezone(UTC)


def _offered(site: Site | None, now: datetime) -> list[tuple[date, Slot]]:
    return [(offer.on, offer.slot) for offer in available(site, SETTINGS, now)]


def test_today_afternoon_is_offered_until_it_begins() -> None:
    """At 13:29 today's afternoon is still offered, at 13:30 it is not; the morning went at 8."""
    before = _offered(None, _local(TUESDAY, 13, 29))
    after = _offered(None, _local(TUESDAY, 13, 30))
    assert before[0] == (TUESDAY, Slot.AFTERNOON)
    assert (TUESDAY, Slot.MORNING) not in before
    assert all(on > TUESDAY for on, _ in after)


def test_today_morning_is_offered_early_in_the_day() -> None:
    """At 07:00 both of today's slots are still ahead."""
    assert _offered(None, _local(TUESDAY, 7))[:2] == [
        (TUESDAY, Slot.MORNING),
        (TUESDAY, Slot.AFTERNOON),
    ]


def test_two_weeks_of_working_days_without_weekends() -> None:
    """From a Tuesday morning: ten working days (20 slots) in 14 days, no Saturday or Sunday."""
    offered = _offered(None, _local(TUESDAY, 6))
    assert len(offered) == 20
    assert all(on.isoweekday() <= 5 for on, _ in offered)
    assert offered[-1] == (date(2026, 12, 14), Slot.AFTERNOON)


def test_saturday_mornings_only_for_a_site_that_opens_them() -> None:
    """A site open on Saturday mornings adds those mornings (not afternoons); others do not."""
    saturdays = [date(2026, 12, 5), date(2026, 12, 12)]
    with_saturday = _offered(_site(saturday_morning=True), _local(TUESDAY, 6))
    without = _offered(_site(saturday_morning=False), _local(TUESDAY, 6))
    assert [(on, slot) for on, slot in with_saturday if on in saturdays] == [
        (saturdays[0], Slot.MORNING),
        (saturdays[1], Slot.MORNING),
    ]
    assert not [on for on, _ in without if on.isoweekday() > 5]


def test_no_slot_on_a_public_holiday() -> None:
    """New Year's Day (a Friday) offers nothing; the Saturday after it does, Sunday never."""
    offered = _offered(_site(saturday_morning=True), _local(date(2026, 12, 28), 6))
    assert date(2027, 1, 1) not in {on for on, _ in offered}
    assert (date(2027, 1, 2), Slot.MORNING) in offered
    assert date(2027, 1, 3) not in {on for on, _ in offered}


def test_serves_matches_what_is_offered() -> None:
    """The booking check accepts a Saturday morning of a Saturday site, never its afternoon."""
    saturday = date(2026, 12, 5)
    assert serves(saturday, Slot.MORNING, _site(saturday_morning=True))
    assert not serves(saturday, Slot.AFTERNOON, _site(saturday_morning=True))
    assert not serves(saturday, Slot.MORNING, _site(saturday_morning=False))
    assert not serves(saturday, Slot.MORNING, None)
    assert serves(TUESDAY, Slot.AFTERNOON, None)
