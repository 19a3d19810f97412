"""Concurrent relays claim rows: each message is sent once per attempt, on PostgreSQL and SQLite."""

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from courier import worker
from courier.db import make_engine, make_session_factory
from courier.outbox.service import enqueue, pending_count, relay_pending
from tests import services
from tests.conftest import migrate
from tests.race import race

MESSAGES = 300
RELAYS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def committed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database whose commits are real (relays race across them)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'claims.sqlite3'}"
        migrate(url)
        engine = make_engine(url, pool_size=RELAYS + 2)
        yield make_session_factory(engine)
        engine.dispose()
        return
    services.require(services.POSTGRES_URL, "PostgreSQL")
    name = f"courier_claims_{uuid.uuid4().hex[:8]}"
    admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(services.POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    engine = make_engine(url, pool_size=RELAYS + 2)
    yield make_session_factory(engine)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
