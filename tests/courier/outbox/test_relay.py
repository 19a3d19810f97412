"""The outbox: tasks leave only after commit, survive a broker outage, and run once in effect."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from courier import embedded, worker
from courier.db import utcnow
from courier.notifications.models import Notification
from courier.notifications.tasks import send_event
from courier.outbox import service as outbox_service
from courier.outbox.models import OutboxMessage
from courier.outbox.service import (
    RelayResult,
    due_count,
    enqueue,
    pending_count,
    relay_pending,
    renew_lease,
    retry_wait_s,
)
from courier.runtime import unit_of_work
from courier.settings import Settings
from courier.worker import make_celery, use_sender
from tests.builders import book

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Outbox messages go to a broker nobody listens on."""
    use_sender(make_celery(Settings(broker_url=DEAD_BROKER)))
    yield
    use_sender(None)


def _notifications(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Notification)) or 0


def _time_passes(factory: sessionmaker[Session]) -> None:
    """Every waiting message becomes due (its backoff or lease is over)."""
    with factory() as session, session.begin():
        session.execute(
            update(OutboxMessage).values(available_at=utcnow() - timedelta(seconds=1))
        )


def test_booking_is_accepted_while_the_broker_is_down(
    client: TestClient, session: Session, broker_down: None
) -> None:
    """The booking answers 201 and its SMS task waits in the outbox with the error noted."""
    booked = book(client)
    assert booked["tracking_code"]
    waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.done_at.is_(None))).all()
    assert len(waiting) == 1
    assert waiting[0].last_error is not None
    assert "OperationalError" in waiting[0].last_error
    assert waiting[0].attempts == 1
    assert waiting[0].available_at > utcnow(), "retried after a wait, not by every request"


def test_outbox_is_relayed_when_the_broker_is_back(
    client: TestClient, session: Session, factory: sessionmaker[Session], broker_down: None
) -> None:
    """Nothing accepted is lost: the relay after the outage sends what waited, once."""
    book(client)
    book(client)
    before = _notifications(session)
    assert pending_count(session) == 2
    assert relay_pending(factory) == RelayResult(0, 0), "nothing is due before its wait is over"
    use_sender(None)  # the broker is back (in-process here)
    _time_passes(factory)
    result = relay_pending(factory)
    assert (result.sent, result.failed) == (2, 0)
    assert pending_count(session) == 0
    assert _notifications(session) == before + 2
    assert relay_pending(factory) == RelayResult(0, 0)


def test_nothing_is_sent_when_the_transaction_rolls_back(factory: sessionmaker[Session]) -> None:
    """A task enqueued in a transaction that fails never reaches Celery."""
    with factory() as session:
        with session.begin_nested():
            enqueue(session, "outbox.relay")
            session.rollback()
        assert pending_count(session) == 0


def test_a_task_run_twice_sends_one_sms(client: TestClient, session: Session) -> None:
    """Tasks take ids and are idempotent: a second run finds the message already written."""
    book(client)
    event_id = session.scalar(
        select(Notification.tracking_event_id).order_by(Notification.id.desc())
    )
    assert event_id is not None
    count = _notifications(session)
    assert send_event(event_id) is False
    assert _notifications(session) == count


def test_a_backlog_larger_than_one_pass_is_drained_in_one_relay(
    client: TestClient, session: Session, factory: sessionmaker[Session], broker_down: None
) -> None:
    """Five waiting messages, two per read: one relay call sends all five (no beat needed)."""
    for _ in range(5):
        book(client)
    assert pending_count(session) == 5
    use_sender(None)
    _time_passes(factory)
    result = relay_pending(factory, limit=2)
    assert (result.sent, result.failed) == (5, 0)
    assert pending_count(session) == 0


def test_a_commit_relays_only_its_own_messages(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request's relay sends what it wrote, never the backlog (no storm of concurrent relays)."""
    sent: list[int] = []
    monkeypatch.setattr(worker, "dispatch", lambda name, payload, *, message_id: sent.append(message_id))
    with factory() as session, session.begin():
        backlog = enqueue(session, "outbox.relay")
    with unit_of_work(factory) as session:
        own = enqueue(session, "outbox.relay")
    assert sent == [own.id]
    assert relay_pending(factory).sent == 1
    assert sent == [own.id, backlog.id]


def test_a_failing_task_waits_longer_after_each_failure(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each relay sends a failing task at most once; the wait before the next try doubles."""
    tried: list[int] = []

    def failing(task_name: str, payload: object, *, message_id: int) -> None:
        tried.append(message_id)
        raise worker.TaskFailed(f"{task_name} failed")

    monkeypatch.setattr(worker, "dispatch", failing)
    with unit_of_work(factory) as session:
        message = enqueue(session, "outbox.relay")
    waits = []
    for _ in range(3):
        relay_pending(factory)  # not due yet: no send
        with factory() as session:
            row = session.get(OutboxMessage, message.id)
            assert row is not None
            waits.append((row.available_at - utcnow()).total_seconds())
        _time_passes(factory)
        relay_pending(factory)
    assert tried == [message.id] * 4
    assert waits[0] == pytest.approx(retry_wait_s(1), abs=2)
    assert waits[1] == pytest.approx(retry_wait_s(2), abs=2)
    assert waits[2] == pytest.approx(retry_wait_s(3), abs=2)
    assert retry_wait_s(30) == 3600


def test_a_message_sent_to_a_worker_that_died_is_sent_again_after_its_lease(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Published is not done: until the task says so, the message comes back when its lease ends."""
    sent: list[int] = []
    monkeypatch.setattr(worker, "dispatch", lambda name, payload, *, message_id: sent.append(message_id))
    monkeypatch.setattr(worker, "runs_in_process", lambda: False)  # as with a broker
    with unit_of_work(factory) as session:
        message = enqueue(session, "proofs.render_receipt", handover_id=1)
    with factory() as session:
        assert pending_count(session) == 1
        assert due_count(session) == 0, "leased while the worker runs it"
    assert relay_pending(factory).sent == 0
    _time_passes(factory)  # the lease ran out: the worker died
    assert relay_pending(factory).sent == 1
    assert sent == [message.id, message.id]


def test_only_a_worker_run_settles_a_message_by_its_task_id() -> None:
    """The worker's signals read the outbox id from the task id; other tasks are left alone."""

    class Request:
        def __init__(self, task_id: str, eager: bool = False) -> None:
            self.id, self.is_eager = task_id, eager

    class Task:
        def __init__(self, request: Request) -> None:
            self.request = request

    assert worker._outbox_id(Task(Request("outbox-42"))) == 42
    assert worker._outbox_id(Task(Request("outbox-42", eager=True))) is None
    assert worker._outbox_id(Task(Request("c0ffee"))) is None
    assert worker._outbox_id(None) is None


def test_a_queued_message_waits_longer_than_a_running_one(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent to a broker, a message may wait in the queue (the queued lease); once a worker
    starts it, it is sent again only if it has not ended within the run's lease."""
    monkeypatch.setattr(worker, "dispatch", lambda name, payload, *, message_id: None)
    monkeypatch.setattr(worker, "runs_in_process", lambda: False)
    with unit_of_work(factory) as session:
        message = enqueue(session, "proofs.render_receipt", handover_id=1)

    def lease_left() -> float:
        with factory() as session:
            row = session.get(OutboxMessage, message.id)
            assert row is not None
            session.refresh(row)
            return (row.available_at - utcnow()).total_seconds()

    assert lease_left() == pytest.approx(Settings().task_queued_lease_s, abs=5)
    renew_lease(factory, message.id, seconds=worker.lease_s("proofs.render_receipt"))
    assert lease_left() == pytest.approx(Settings().task_lease_s, abs=5)


def test_a_commit_whose_relay_fails_is_still_committed(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The relay after a commit cannot reach the database: the caller's work stands, and the
    message waits for the sweep (it is not raised to the caller as if nothing was stored)."""

    def unreachable(*args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(outbox_service, "relay_messages", unreachable)
    with unit_of_work(factory) as session:
        enqueue(session, "outbox.relay")
    with factory() as session:
        assert due_count(session) == 1


def test_with_the_embedded_worker_running_a_commit_wakes_it_instead_of_running_tasks(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tasks enqueued by a task are run by the worker thread, each with its own lease, never
    nested inside the task that enqueued them."""
    woken: list[str] = []
    sent: list[int] = []

    class Worker:
        def wake(self) -> None:
            woken.append("woken")

    monkeypatch.setattr(embedded, "_running", Worker())
    monkeypatch.setattr(worker, "dispatch", lambda name, payload, *, message_id: sent.append(message_id))
    with unit_of_work(factory) as session:
        enqueue(session, "outbox.relay")
    assert (woken, sent) == (["woken"], [])
