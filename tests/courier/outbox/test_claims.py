"""Concurrent relays claim rows: each message is sent once per attempt, on PostgreSQL and SQLite."""

import threading
from collections import Counter

import pytest
from sqlalchemy.orm import Session, sessionmaker

from courier import worker
from courier.outbox.service import enqueue, pending_count, relay_pending
from tests.race import race

MESSAGES = 300
RELAYS = 8


def test_eight_relays_at_once_send_each_message_once(
    committed: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """300 due messages, eight relays released together: 300 sends, none twice."""
    sends: Counter[int] = Counter()
    lock = threading.Lock()

    def publish(task_name: str, payload: object, *, message_id: int) -> None:
        with lock:
            sends[message_id] += 1

    monkeypatch.setattr(worker, "dispatch", publish)
    monkeypatch.setattr(worker, "runs_in_process", lambda: False)  # as with a broker
    with committed() as session, session.begin():
        for n in range(MESSAGES):
            enqueue(session, "notifications.send_event", event_id=n)
    results = race(*[lambda: relay_pending(committed, limit=25) for _ in range(RELAYS)])
    print(f"sends per relay: {[r.sent for r in results]}")
    assert sum(r.sent for r in results) == MESSAGES
    assert len(sends) == MESSAGES
    assert set(sends.values()) == {1}, "a message was published twice in one attempt"
    with committed() as session:
        assert pending_count(session) == MESSAGES, "published is not done: workers say when"
