"""The daily tasks: beat's schedule, and the embedded worker's stand-in for it (no broker)."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from courier.embedded import EmbeddedWorker
from courier.outbox.models import OutboxMessage
from courier.settings import Settings
from courier.worker import embedded_daily, make_celery

# 02:44 and 02:46 in Vietnam (UTC+7), around the purge's 02:45, on two days
BEFORE = datetime(2026, 12, 9, 19, 44, tzinfo=UTC)
AFTER = datetime(2026, 12, 9, 19, 46, tzinfo=UTC)
NEXT_DAY = datetime(2026, 12, 10, 19, 46, tzinfo=UTC)


def test_beat_runs_the_purge_daily() -> None:
    """Beat's schedule holds the purge at COURIER_PERSONAL_DATA_PURGE_AT, local time."""
    schedule = make_celery(Settings(personal_data_purge_at="03:10")).conf.beat_schedule
    entry = schedule["personal-data-purge"]
    assert entry["task"] == "privacy.purge"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {10})


def _purges(session: Session) -> int:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.task_name == "privacy.purge")
    return len(session.scalars(query).all())


def test_the_embedded_worker_enqueues_the_purge_once_a_day(
    factory: sessionmaker[Session], session: Session
) -> None:
    """Not at start, once when its local time has come, not again that day, again the next."""
    worker = EmbeddedWorker(factory, daily=embedded_daily(Settings()))
    before = _purges(session)
    assert worker.enqueue_due(BEFORE) == []
    assert "privacy.purge" in worker.enqueue_due(AFTER)
    assert "privacy.purge" not in worker.enqueue_due(AFTER)
    assert "privacy.purge" in worker.enqueue_due(NEXT_DAY)
    assert _purges(session) == before + 2
