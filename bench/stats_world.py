"""A year of dossiers for the statistics bench, written with COPY: dossiers, jobs, attempts, events.

Each dossier lives a plausible life (booked, picked up in its slot or late or after failed
visits, received the same day or the next, processed, returned by post or at the counter, some
late or postponed), its statuses moved by the state machine; lives are cut at the year's end.
Handovers are not written: the statistics read only dossiers and their tracking events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from courier import calendar
from courier.dossiers import states
from courier.dossiers.models import DossierStatus
from courier.dossiers.states import Event

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SLOTS = {"morning": (time(8, 0), time(11, 30)), "afternoon": (time(13, 30), time(17, 0))}
REASONS = ["not_home", "not_home", "not_home", "wrong_address", "documents_incomplete", "refused"]
HANDOVER_EVENTS = {
    Event.PICK_UP,
    Event.RECEIVE_AT_CENTER,
    Event.RESULT_PICK_UP,
    Event.DELIVER,
    Event.COLLECT_AT_CENTER,
}
DOSSIER_COLUMNS = (
    "id",
    "tracking_code",
    "procedure_id",
    "receiving_site_id",
    "applicant_name",
    "applicant_phone",
    "address_text",
    "lat",
    "lon",
    "point_source",
    "preferred_on",
    "slot",
    "result_return",
    "consent_version",
    "consent_at",
    "procedure_fee_vnd",
    "service_fee_vnd",
    "status",
    "status_changed_at",
    "holder_kind",
    "holder_id",
    "due_on",
    "custody_seq",
    "created_at",
    "version",
)
JOB_COLUMNS = (
    "id",
    "dossier_id",
    "leg",
    "kind",
    "status",
    "site_id",
    "address_text",
    "lat",
    "lon",
    "window_start",
    "window_end",
    "service_s",
    "attempts",
    "priority",
    "created_at",
    "updated_at",
)
ATTEMPT_COLUMNS = ("job_id", "reason", "note", "attempted_at", "device_at")
EVENT_COLUMNS = (
    "dossier_id",
    "event",
    "code",
    "from_status",
    "to_status",
    "actor_kind",
    "site_id",
    "reason",
    "occurred_at",
    "device_at",
    "due_on",
)


def at(day: date, clock: time) -> datetime:
    """A local wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=ZONE).astimezone(UTC)


@dataclass
class Life:
    """One dossier's events as they happened (the device's time for handovers)."""

    rng: random.Random
    site_id: int
    booked: datetime
    preferred_on: date
    slot: str
    post: bool
    processing_days: int
    steps: list[tuple[Event, datetime, str | None, date | None]] = field(default_factory=list)
    due_on: date | None = None

    def add(
        self, event: Event, when: datetime, reason: str | None = None, due: date | None = None
    ) -> None:
        """Append an event."""
        self.steps.append((event, when, reason, due))

    def in_slot(self, day: date) -> datetime:
        """A random moment of the citizen's slot hours on a day."""
        opens, closes = SLOTS[self.slot]
        span = (at(day, closes) - at(day, opens)).total_seconds()
        return at(day, opens) + timedelta(seconds=self.rng.uniform(0, span))


def live(rng: random.Random, life: Life) -> None:
    """Write the dossier's whole life into `life.steps`."""
    life.add(Event.BOOK, life.booked)
    picked = _pickup(rng, life)
    if picked is None:
        return
    received = _arrival(rng, life, picked)
    life.add(Event.START_PROCESSING, received + timedelta(minutes=rng.uniform(30, 180)))
    life.due_on = calendar.add_working_days(received.astimezone(ZONE).date(), life.processing_days)
    if rng.random() < 0.05:
        life.due_on = calendar.add_working_days(life.due_on, 5)
        life.add(Event.POSTPONE, received + timedelta(days=2), "complex_case", life.due_on)
    lag = rng.uniform(-life.processing_days, 0) if rng.random() < 0.85 else rng.uniform(1, 5)
    ready = at(life.due_on, time(9)) + timedelta(days=lag, hours=rng.uniform(0, 7))
    ready = max(ready, received + timedelta(hours=2))
    life.add(Event.RESULT_READY, ready)
    _return(rng, life, ready)


def _pickup(rng: random.Random, life: Life) -> datetime | None:
    day, roll = life.preferred_on, rng.random()
    if roll < 0.04:
        life.add(Event.PICKUP_FAIL, life.in_slot(day), rng.choice(REASONS))
        day = calendar.next_working_day(day)
        if rng.random() < 0.3:
            life.add(Event.PICKUP_FAIL, life.in_slot(day), "not_home")
            life.add(Event.PICKUP_ABANDON, life.in_slot(day) + timedelta(minutes=1), "not_home")
            return None
    elif roll < 0.14:
        day = calendar.next_working_day(day)
    picked = life.in_slot(day)
    life.add(Event.PICK_UP, picked)
    return picked


def _arrival(rng: random.Random, life: Life, picked: datetime) -> datetime:
    if rng.random() < 0.01:
        life.add(Event.COUNTER_FAIL, picked + timedelta(hours=3), "site_closed")
    if rng.random() < 0.88:
        received = picked + timedelta(hours=rng.uniform(0.5, 4))
    else:
        next_day = calendar.next_working_day(picked.astimezone(ZONE).date())
        received = at(next_day, time(8)) + timedelta(hours=rng.uniform(0, 2))
    life.add(Event.RECEIVE_AT_CENTER, received)
    return received


def _return(rng: random.Random, life: Life, ready: datetime) -> None:
    if not life.post:
        life.add(Event.COLLECT_AT_CENTER, ready + timedelta(days=rng.uniform(0.1, 8)))
        return
    leaves = at(calendar.next_working_day(ready.astimezone(ZONE).date()), time(8, 15))
    life.add(Event.RESULT_PICK_UP, leaves)
    life.add(Event.OUT_FOR_DELIVERY, leaves + timedelta(minutes=20))
    delivered = leaves + timedelta(hours=rng.uniform(1, 6))
    if rng.random() < 0.05:
        life.add(Event.DELIVERY_FAIL, delivered, rng.choice(REASONS))
        delivered += timedelta(days=1)
    life.add(Event.DELIVER, delivered)


@dataclass
class Rows:
    """The rows of a batch of dossiers, per table."""

    dossiers: list[tuple[Any, ...]] = field(default_factory=list)
    jobs: list[tuple[Any, ...]] = field(default_factory=list)
    attempts: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


def rows_for(
    dossier_id: int, life: Life, procedure: tuple[int, int], end: datetime, out: Rows
) -> None:
    """The dossier's rows, its events cut at `end`."""
    status, changed = DossierStatus.BOOKED, life.booked
    job_base = dossier_id * 4
    for event, when, reason, due in [s for s in life.steps if s[1] < end]:
        before = None if event is Event.BOOK else status
        if before is not None:
            status = states.target(before, event)
        # an offline phone's handover reaches the server a little later
        occurred = when + timedelta(seconds=30) if event in HANDOVER_EVENTS else when
        changed = occurred
        out.events.append(
            (
                dossier_id,
                event.value,
                states.EVENTS[event].code,
                before and before.value,
                status.value,
                "system",
                life.site_id,
                reason,
                occurred,
                when if event in HANDOVER_EVENTS else None,
                due,
            )
        )
        if event in (Event.PICKUP_FAIL, Event.DELIVERY_FAIL, Event.COUNTER_FAIL):
            job = job_base + {Event.PICKUP_FAIL: 0, Event.COUNTER_FAIL: 1}.get(event, 3)
            out.attempts.append((job, reason, "", occurred, when))
    opens, closes = SLOTS[life.slot]
    window = (at(life.preferred_on, opens), at(life.preferred_on, closes))
    for k, (leg, kind) in enumerate(
        (
            ("inbound", "pickup"),
            ("inbound", "delivery"),
            ("return", "pickup"),
            ("return", "delivery"),
        )
    ):
        if leg == "return" and not life.post:
            continue
        out.jobs.append(
            (
                job_base + k,
                dossier_id,
                leg,
                kind,
                "done" if status != DossierStatus.BOOKED else "pending",
                life.site_id if (kind == "delivery") == (leg == "inbound") else None,
                "1 Yersin",
                10.98,
                106.65,
                window[0],
                window[1] + timedelta(hours=6),
                300,
                0,
                0,
                life.booked,
                changed,
            )
        )
    out.dossiers.append(
        (
            dossier_id,
            f"HS{dossier_id:09d}VN",
            procedure[0],
            life.site_id,
            "Bench",
            "+84912000000",
            "1 Yersin, Thủ Dầu Một",
            10.98,
            106.65,
            "given",
            life.preferred_on,
            life.slot,
            "post" if life.post else "center",
            "bench",
            life.booked,
            0,
            25000,
            status.value,
            changed,
            "citizen",
            None,
            life.due_on
            if any(s[0] is Event.RECEIVE_AT_CENTER and s[1] < end for s in life.steps)
            else None,
            0,
            life.booked,
            1,
        )
    )


def batches(
    count: int,
    first_day: date,
    days: int,
    sites: list[tuple[int, int]],
    procedures: list[tuple[int, int]],
    seed: int = 7,
    size: int = 10_000,
) -> Iterator[Rows]:
    """`count` dossiers booked uniformly over `days` days, sites drawn by weight, in batches."""
    rng = random.Random(seed)
    end = at(first_day + timedelta(days=days), time(0))
    site_ids = [s for s, _ in sites]
    weights = [w for _, w in sites]
    out = Rows()
    for dossier_id in range(1, count + 1):
        booked = at(first_day, time(0)) + timedelta(seconds=rng.uniform(0, days * 86400))
        preferred = calendar.add_working_days(booked.astimezone(ZONE).date(), rng.randint(1, 3))
        procedure = rng.choice(procedures)
        life = Life(
            rng,
            rng.choices(site_ids, weights)[0],
            booked,
            preferred,
            rng.choice(["morning", "afternoon"]),
            rng.random() < 0.65,
            procedure[1],
        )
        live(rng, life)
        rows_for(dossier_id, life, procedure, end, out)
        if dossier_id % size == 0 or dossier_id == count:
            yield out
            out = Rows()
