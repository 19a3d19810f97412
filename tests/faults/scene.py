"""What a fault test sets up and checks: short leases, the relay beat would run, a printed
timeline, and the effect of every outbox message counted in the database."""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from courier.notifications.models import Notification
from courier.outbox.models import OutboxMessage
from courier.outbox.service import relay_pending
from courier.planning.models import PartStatus, Plan, PlanPart, PlanStatus
from courier.proofs.models import Receipt
from courier.settings import Settings
from courier.worker import make_celery, use_sender

# Short leases, so that a message whose worker died is sent again within seconds: the least
# lease the settings allow, and plan parts of a few jobs solved in a few seconds each
# (a part's lease is then 2 * 3 + 10 = 16 s).
TUNING: dict[str, Any] = {
    "task_lease_s": 10,
    "task_queued_lease_s": 10,
    "plan_part_seconds": 3,
    "plan_part_max_jobs": 5,
}


@dataclass(frozen=True, slots=True)
class Scenario:
    """The database, broker and queue of one test, seen alike by its workers and its relay."""

    database_url: str
    broker_url: str
    queue: str

    def settings(self) -> Settings:
        """The settings of the relaying side (the test process)."""
        return Settings(broker_url=self.broker_url, task_queue=self.queue, **TUNING)

    def env(self) -> dict[str, str]:
        """The same settings as a worker reads them."""
        tuning = {f"COURIER_{key.upper()}": str(value) for key, value in TUNING.items()}
        return {
            "COURIER_DATABASE_URL": self.database_url,
            "COURIER_BROKER_URL": self.broker_url,
            "COURIER_TASK_QUEUE": self.queue,
            **tuning,
        }


def unique_queue() -> str:
    """A queue name no other run uses, so that nothing left over is ever consumed here."""
    return f"courier-fault-{uuid.uuid4().hex[:10]}"


@contextmanager
def sending_to(scenario: Scenario) -> Iterator[None]:
    """Relay outbox messages (after commits, and in `relay_pending`) to the scenario's broker."""
    app = make_celery(scenario.settings())
    use_sender(app)
    try:
        yield
    finally:
        use_sender(None)
        app.close()


class Timeline:
    """Notes printed with the seconds since the test began (pytest shows them with -s)."""

    def __init__(self, title: str) -> None:
        self.start = time.time()
        print(f"\n=== {title}", flush=True)

    def note(self, text: str, at: float | None = None) -> None:
        """Print a line stamped with when it happened (now, or a `time.time()` value)."""
        print(f"[{(at or time.time()) - self.start:6.1f} s] {text}", flush=True)

    def elapsed(self) -> float:
        """Seconds since the test began."""
        return time.time() - self.start


@contextmanager
def beat(factory: sessionmaker[Session]) -> Iterator[None]:
    """Relay every second in a thread, as beat does, for as long as the block runs."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def relay() -> None:
        while not stop.is_set():
            try:
                relay_pending(factory)
            except Exception as exc:  # reported after the block
                errors.append(exc)
            stop.wait(1)

    thread = threading.Thread(target=relay, name="beat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors, f"the relay raised: {errors!r}"


def wait_until(finished: Callable[[], bool], *, timeout_s: float) -> bool:
    """Wait until `finished()`; False if time ran out first."""
    deadline = time.monotonic() + timeout_s
    while not finished():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def all_done(factory: sessionmaker[Session]) -> Callable[[], bool]:
    """A check that no outbox message is left undone."""

    def finished() -> bool:
        with factory() as session:
            undone = select(func.count()).where(OutboxMessage.done_at.is_(None))
            return session.scalar(undone) == 0

    return finished


def _notifications(session: Session, payload: dict[str, Any]) -> int:
    event_id = payload["event_id"]
    return (
        session.scalar(select(func.count()).where(Notification.tracking_event_id == event_id)) or 0
    )


def _receipts(session: Session, payload: dict[str, Any]) -> int:
    handover_id = payload["handover_id"]
    return session.scalar(select(func.count()).where(Receipt.handover_id == handover_id)) or 0


def _solved(session: Session, payload: dict[str, Any]) -> int:
    return int(session.get_one(PlanPart, payload["part_id"]).status is PartStatus.DONE)


def _built(session: Session, payload: dict[str, Any]) -> int:
    plan = session.get_one(Plan, payload["plan_id"])
    return int(plan.status in (PlanStatus.BUILT, PlanStatus.PUBLISHED))


EFFECTS: dict[str, Callable[[Session, dict[str, Any]], int]] = {
    "notifications.send_event": _notifications,
    "proofs.render_receipt": _receipts,
    "planning.solve_part": _solved,
    "planning.build": _built,
}


def unsettled(factory: sessionmaker[Session]) -> list[str]:
    """Every outbox message not done, or whose effect is missing or stored more than once."""
    problems = []
    with factory() as session:
        for message in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
            if message.done_at is None:
                problems.append(
                    f"message {message.id} {message.task_name} {message.payload} not done "
                    f"after {message.attempts} sends ({message.last_error})"
                )
            effects = EFFECTS[message.task_name](session, message.payload)
            if effects != 1:
                problems.append(
                    f"message {message.id} {message.task_name} {message.payload}: {effects} effects"
                )
    return problems


def outbox_summary(factory: sessionmaker[Session]) -> str:
    """Per task: messages, how many done, and how many sends they took."""
    query = select(
        OutboxMessage.task_name,
        func.count(),
        func.count(OutboxMessage.done_at),
        func.sum(OutboxMessage.attempts),
        func.max(OutboxMessage.attempts),
    ).group_by(OutboxMessage.task_name)
    with factory() as session:
        rows = session.execute(query).all()
    return "; ".join(
        f"{task}: {count} messages, {done} done, {sends} sends (at most {most} for one)"
        for task, count, done, sends, most in sorted(rows)
    )


def database_url(factory: sessionmaker[Session]) -> str:
    """The URL behind a session factory, for worker processes to reach the same database."""
    url: str = factory.kw["bind"].url.render_as_string(hide_password=False)
    return url
