"""The outbox: tasks leave only after commit, survive a broker outage, and run once in effect."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from courier import worker
from courier.notifications.models import Notification
from courier.notifications.tasks import send_event
from courier.outbox.models import OutboxMessage
from courier.outbox.service import AFTER_COMMIT_ATTEMPTS, enqueue, pending_count, relay_pending
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


def test_booking_is_accepted_while_the_broker_is_down(
    client: TestClient, session: Session, broker_down: None
) -> None:
    """The booking answers 201 and its SMS task waits in the outbox with the error noted."""
    booked = book(client)
    assert booked["tracking_code"]
    waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    assert len(waiting) == 1
    assert waiting[0].last_error is not None
    assert "OperationalError" in waiting[0].last_error


def test_outbox_is_relayed_when_the_broker_is_back(
    client: TestClient, session: Session, factory: sessionmaker[Session], broker_down: None
) -> None:
    """Nothing accepted is lost: the relay after the outage sends what waited."""
    book(client)
    book(client)
    before = _notifications(session)
    assert pending_count(session) == 2
    use_sender(None)  # the broker is back (in-process here)
    result = relay_pending(factory)
    assert (result.sent, result.failed) == (2, 0)
    assert pending_count(session) == 0
    assert _notifications(session) == before + 2


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
    result = relay_pending(factory, limit=2)
    assert (result.sent, result.failed) == (5, 0)
    assert pending_count(session) == 0


def test_a_failing_task_is_left_to_the_periodic_relay_after_a_few_commits(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Later commits retry a failing task a few times only; the periodic relay still tries it."""
    tried: list[int] = []

    def failing(task_name: str, payload: object, *, message_id: int) -> None:
        tried.append(message_id)
        raise worker.TaskFailed(f"{task_name} failed")

    monkeypatch.setattr(worker, "dispatch", failing)
    for _ in range(AFTER_COMMIT_ATTEMPTS + 3):
        with unit_of_work(factory) as session:
            enqueue(session, "outbox.relay")
    first = min(tried)
    assert tried.count(first) == AFTER_COMMIT_ATTEMPTS
    relay_pending(factory)
    assert tried.count(first) == AFTER_COMMIT_ATTEMPTS + 1
