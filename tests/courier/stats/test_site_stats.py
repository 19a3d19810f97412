"""Statistics of a center over June 2026, on a world where each figure is known by construction.

At BD-TDM (the citizen's slot is the morning of 10 June unless said): A is on time everywhere; B
is picked up a day late; C reaches the center the day after its pickup (the counter had closed)
and is returned after its due date; D is returned after its first due date but before the one
it was postponed to; E is received at 23:30 on 30 June (in the period), F at 00:30 on 1 July
(not); G fails twice at the citizen's door and is abandoned; I was received in May and returned
late in June. A dossier of BD-TA and an attempt in July count nowhere at BD-TDM.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean

import pytest
from sqlalchemy.orm import Session

from courier.actors import SYSTEM
from courier.dossiers.models import Slot
from courier.dossiers.states import Event
from courier.errors import InvalidInput
from courier.settings import Settings
from courier.stats import service as stats
from courier.stats.periods import period
from courier.stats.service import SiteStats
from tests.courier.stats.world import Life, Step, days, local, make_dossier

JUNE = (date(2026, 6, 1), date(2026, 6, 30))
D = {n: date(2026, 6, n) for n in range(1, 31)}
MAY_27, MAY_28, JULY_1 = date(2026, 5, 27), date(2026, 5, 28), date(2026, 7, 1)
MORNING, AFTERNOON = Slot.MORNING, Slot.AFTERNOON


def _steps(*raw: tuple[Event, date, int, int] | Step) -> list[Step]:
    return [s if isinstance(s, Step) else Step(s[0], local(s[1], s[2], s[3])) for s in raw]


def _full(
    booked: date,
    picked: tuple[date, int, int],
    received: tuple[date, int, int],
    ready: tuple[date, int, int],
    returned: tuple[Event, date, int, int],
) -> list[Step]:
    return _steps(
        (Event.BOOK, booked, 10, 0),
        (Event.PICK_UP, *picked),
        (Event.RECEIVE_AT_CENTER, *received),
        (Event.RESULT_READY, *ready),
        *([(Event.RESULT_PICK_UP, returned[1], 8, 0)] if returned[0] is Event.DELIVER else []),
        returned,
    )


WORLD: dict[str, Life] = {
    "A": Life(
        "BD-TDM",
        D[10],
        MORNING,
        _full(D[8], (D[10], 9, 0), (D[10], 15, 0), (D[15], 10, 0), (Event.DELIVER, D[17], 10, 0)),
        D[18],
    ),
    "B": Life(
        "BD-TDM",
        D[10],
        MORNING,
        _full(
            D[8],
            (D[11], 9, 0),
            (D[11], 16, 0),
            (D[16], 9, 0),
            (Event.COLLECT_AT_CENTER, D[18], 14, 0),
        ),
        D[18],
    ),
    "C": Life(
        "BD-TDM",
        D[10],
        MORNING,
        _full(D[9], (D[10], 11, 0), (D[11], 9, 0), (D[12], 9, 0), (Event.DELIVER, D[22], 10, 0)),
        D[19],
    ),
    "D": Life(
        "BD-TDM",
        D[10],
        MORNING,
        _full(D[8], (D[10], 8, 30), (D[10], 14, 0), (D[22], 9, 0), (Event.DELIVER, D[23], 11, 0)),
        D[24],
    ),
    "E": Life(
        "BD-TDM",
        D[30],
        AFTERNOON,
        _steps(
            (Event.BOOK, D[29], 9, 0),
            (Event.PICK_UP, D[30], 14, 0),
            # recorded at the counter at 23:30 on the last day, heard of by the server in July
            Step(Event.RECEIVE_AT_CENTER, local(D[30], 23, 30), synced=local(JULY_1, 8, 0)),
        ),
    ),
    "F": Life(
        "BD-TDM",
        D[30],
        AFTERNOON,
        _steps(
            (Event.BOOK, D[29], 9, 0),
            (Event.PICK_UP, D[30], 15, 0),
            Step(Event.COUNTER_FAIL, local(JULY_1, 0, 10), reason="site_closed"),
            (Event.RECEIVE_AT_CENTER, JULY_1, 0, 30),
        ),
    ),
    "G": Life(
        "BD-TDM",
        D[10],
        MORNING,
        _steps(
            (Event.BOOK, D[8], 10, 0),
            Step(Event.PICKUP_FAIL, local(D[10], 9, 30), reason="not_home"),
            Step(Event.PICKUP_FAIL, local(D[11], 9, 30), reason="not_home"),
            Step(Event.PICKUP_ABANDON, local(D[11], 9, 30), reason="not_home"),
        ),
    ),
    "I": Life(
        "BD-TDM",
        MAY_27,
        MORNING,
        _full(
            date(2026, 5, 25),
            (MAY_27, 9, 0),
            (MAY_27, 15, 0),
            (MAY_28, 9, 0),
            (Event.DELIVER, D[5], 10, 0),
        ),
        D[4],
    ),
    "TA": Life(
        "BD-TA",
        D[10],
        MORNING,
        _full(D[8], (D[10], 9, 0), (D[10], 15, 0), (D[15], 10, 0), (Event.DELIVER, D[17], 10, 0)),
        D[18],
    ),
}
# C's courier found the counter closed on the 10th; A's first delivery was refused; D's result
# date was postponed from the 17th to the 24th; BD-TA's pickup failed once
EXTRA: dict[str, tuple[int, Step]] = {
    "C": (2, Step(Event.COUNTER_FAIL, local(D[10], 17, 30), reason="site_closed")),
    "A": (5, Step(Event.DELIVERY_FAIL, local(D[16], 10, 0), reason="refused")),
    "D": (3, Step(Event.POSTPONE, local(D[16], 10, 0), reason="complex_case", due_on=D[24])),
    "TA": (1, Step(Event.PICKUP_FAIL, local(D[9], 9, 0), reason="not_home")),
}


@pytest.fixture
def world(session: Session) -> dict[str, Life]:
    """The world written to the test's database."""
    for name, life in WORLD.items():
        steps = list(life.steps)
        if name in EXTRA:
            position, step = EXTRA[name]
            steps.insert(position, step)
        make_dossier(session, Life(life.site, life.preferred_on, life.slot, steps, life.due_on))
    return WORLD


def _tdm(session: Session, settings: Settings, first: date, last: date) -> SiteStats:
    return stats.site_stats(session, SYSTEM, "BD-TDM", period(first, last, settings.zone), settings)


def _at(name: str, *events: Event) -> list:
    return [s.at for e in events for s in WORLD[name].steps if s.event is e][:1]


def test_counts_received_and_returned_by_local_day(world, session, settings) -> None:
    """Received: A B C D, and E at 23:30 on the last day; not F at 00:30 the next day nor I
    (May). Returned: A C D I delivered, B collected at the counter."""
    june = _tdm(session, settings, *JUNE)
    assert (june.received, june.returned, june.delivered, june.collected_at_center) == (5, 5, 4, 1)
    july_first = _tdm(session, settings, JULY_1, JULY_1)
    assert july_first.received == 1


def test_on_time_per_leg_and_end_to_end(world, session, settings) -> None:
    """Pickup: all but B in their slot (6 picked up); arrival: all but C the same day (5);
    return: A, B (collected on its due day) and D (by its postponed date) of 5; end to end: A, D."""
    june = _tdm(session, settings, *JUNE)
    assert (june.pickup.on_time, june.pickup.total) == (5, 6)
    assert (june.arrival.on_time, june.arrival.total) == (4, 5)
    assert (june.return_by_due.on_time, june.return_by_due.total) == (3, 5)
    assert (june.end_to_end.on_time, june.end_to_end.total) == (2, 5)
    assert june.end_to_end.rate == 0.4


def test_failed_attempts_by_reason_in_the_period(world, session, settings) -> None:
    """G's two visits, C's closed counter and A's refused delivery; not F's July one nor BD-TA's."""
    june = _tdm(session, settings, *JUNE)
    assert june.failed_attempts == {"not_home": 2, "refused": 1, "site_closed": 1}


def test_average_days_per_stage(world, session, settings) -> None:
    """Each stage's mean over the dossiers whose stage ended in June."""
    june = _tdm(session, settings, *JUNE)

    def avg(names: str, start: Event, *end: Event) -> float:
        exact = mean(days(_at(n, start)[0], _at(n, *end)[0]) for n in names)
        # two decimals, halves rounded up (4.675 is 4.68)
        return float(Decimal(f"{exact:.9f}").quantize(Decimal("0.01"), ROUND_HALF_UP))

    returned = (Event.DELIVER, Event.COLLECT_AT_CENTER)
    assert june.average_days.booked_to_picked_up == avg("ABCDEF", Event.BOOK, Event.PICK_UP)
    assert june.average_days.picked_up_to_received == avg(
        "ABCDE", Event.PICK_UP, Event.RECEIVE_AT_CENTER
    )
    assert june.average_days.received_to_result_ready == avg(
        "ABCD", Event.RECEIVE_AT_CENTER, Event.RESULT_READY
    )
    assert june.average_days.result_ready_to_returned == avg("ABCDI", Event.RESULT_READY, *returned)


def test_a_site_with_nothing_in_the_period(world, session, settings) -> None:
    """No dossier: zero counts, no rate, no averages."""
    quiet = stats.site_stats(session, SYSTEM, "BD-DA", period(*JUNE, settings.zone), settings)
    assert (quiet.received, quiet.pickup.total, quiet.pickup.rate) == (0, 0, None)
    assert quiet.average_days.booked_to_picked_up is None
    assert quiet.failed_attempts == {}


def test_all_sites_lists_every_center_once(world, session, settings) -> None:
    """The admin's list has one row per center, BD-TA's dossier and failure under BD-TA only."""
    rows = stats.all_site_stats(session, SYSTEM, period(*JUNE, settings.zone), settings)
    by_code = {r.site_code: r for r in rows}
    assert len(by_code) == len(rows) == 28
    assert (by_code["BD-TA"].received, by_code["BD-TA"].failed_attempts) == (1, {"not_home": 1})
    assert by_code["BD-TDM"].received == 5


@pytest.mark.parametrize(
    ("first", "last"), [(date(2026, 6, 2), date(2026, 6, 1)), (date(2025, 5, 31), date(2026, 6, 1))]
)
def test_a_reversed_or_too_long_period_is_refused(first: date, last: date) -> None:
    """The end before the start, or 367 days."""
    with pytest.raises(InvalidInput):
        period(first, last, Settings().zone)


def test_a_period_of_366_days_is_allowed() -> None:
    """A leap year's worth of days, both ends included."""
    found = period(date(2025, 6, 1), date(2026, 6, 1), Settings().zone)
    assert (found.end - found.start).days == 366
