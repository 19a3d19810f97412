"""Varied dossier lives from a seeded generator: late and failed pickups, next-day and midnight
arrivals, postponed results, deliveries refused, results returned to the counter and collected
there; for checking that the rollup equals the per-dossier definitions."""

import random
from datetime import date, datetime, time, timedelta

from courier.calendar import SLOT_HOURS
from courier.dossiers.models import Slot
from courier.dossiers.states import Event
from tests.courier.stats.world import Life, Step, local

SITES = ("BD-TDM", "BD-TA", "BD-TTHC")
REASONS = (None, "not_home", "refused", "other", "site_closed")
FIRST = date(2026, 5, 25)
MIDNIGHT = time(0, 0)


def _at(day: date, clock: time) -> datetime:
    return local(day, clock.hour, clock.minute)


def _pickup_time(rng: random.Random, day: date, slot: Slot) -> datetime:
    """In the slot, at its very ends, an hour outside, or the next day."""
    opens, closes = SLOT_HOURS[slot]
    choice = rng.randrange(5)
    if choice == 0:
        return _at(day, opens)
    if choice == 1:
        return _at(day, closes)
    if choice == 2:
        return _at(day, opens) - timedelta(hours=1)
    if choice == 3:
        return _at(day + timedelta(days=1), opens) + timedelta(minutes=rng.randrange(200))
    return _at(day, opens) + timedelta(minutes=rng.randrange(200))


def _arrival(rng: random.Random, picked: datetime) -> tuple[datetime, datetime | None]:
    """The same day, a second before or exactly at the next local midnight, or the next day;
    sometimes heard of by the server hours later."""
    day = (picked + timedelta(hours=7)).date()
    next_midnight = _at(day + timedelta(days=1), MIDNIGHT)
    at = rng.choice(
        [
            picked + timedelta(hours=2),
            next_midnight - timedelta(microseconds=1),
            next_midnight,
            next_midnight + timedelta(hours=9),
        ]
    )
    return at, (at + timedelta(hours=rng.randrange(1, 30)) if rng.random() < 0.3 else None)


def _returned(rng: random.Random, ready: datetime) -> list[Step]:
    """Delivered (after a refusal, maybe), collected at the counter, or returned there first."""
    day = ready + timedelta(days=rng.randrange(0, 4), hours=rng.randrange(1, 5))
    kind = rng.randrange(4)
    if kind == 0:
        return [Step(Event.COLLECT_AT_CENTER, day)]
    steps = [Step(Event.RESULT_PICK_UP, day)]
    if kind >= 2:
        steps.append(Step(Event.DELIVERY_FAIL, day + timedelta(hours=2), rng.choice(REASONS)))
    if kind == 3:
        return [
            *steps,
            Step(Event.RETURN_TO_CENTER, day + timedelta(hours=5)),
            Step(Event.COLLECT_AT_CENTER, day + timedelta(days=2)),
        ]
    return [*steps, Step(Event.DELIVER, day + timedelta(days=kind - 1, hours=3))]


def _processed(rng: random.Random, received: datetime) -> tuple[list[Step], date]:
    """Ready after some days, maybe postponed first; the due date it ends with."""
    due = (received + timedelta(hours=7)).date() + timedelta(days=rng.randrange(1, 5))
    steps = []
    if rng.random() < 0.25:
        due += timedelta(days=3)
        steps.append(
            Step(Event.POSTPONE, received + timedelta(hours=20), "complex_case", None, due)
        )
    ready = received + timedelta(days=rng.randrange(1, 6), hours=rng.randrange(3))
    return [*steps, Step(Event.RESULT_READY, ready)], due


def life(rng: random.Random) -> Life:
    """One dossier's life, cut short at a random stage."""
    preferred = FIRST + timedelta(days=rng.randrange(40))
    slot = rng.choice(list(Slot))
    steps = [Step(Event.BOOK, local(preferred - timedelta(days=2), 10))]
    for n in range(rng.choice((0, 0, 0, 1, 2))):
        at = local(preferred + timedelta(days=n), 9, rng.randrange(60))
        steps.append(Step(Event.PICKUP_FAIL, at, rng.choice(REASONS)))
    site, due = rng.choice(SITES), None
    if rng.random() < 0.08:
        return Life(site, preferred, slot, [*steps, Step(Event.PICKUP_ABANDON, steps[-1].at)])
    picked = _pickup_time(rng, preferred, slot)
    steps.append(Step(Event.PICK_UP, picked))
    if rng.random() < 0.15:
        steps.append(Step(Event.COUNTER_FAIL, picked + timedelta(hours=1), rng.choice(REASONS)))
    stage = rng.randrange(6)
    if stage >= 1:
        received, synced = _arrival(rng, picked)
        steps.append(Step(Event.RECEIVE_AT_CENTER, received, synced=synced))
    if stage >= 2:
        processed, due = _processed(rng, received)
        steps += processed
    if stage >= 3:
        steps += _returned(rng, steps[-1].at)
    return Life(site, preferred, slot, steps, due)


def lives(seed: int, count: int) -> list[Life]:
    """`count` lives from the seed."""
    rng = random.Random(seed)
    return [life(rng) for _ in range(count)]
