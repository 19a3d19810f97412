"""A real Celery worker process against the Redis broker runs what the outbox relays."""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier.actors import PUBLIC_CITIZEN
from courier.db import make_engine, make_session_factory
from courier.demo.load import load_demo
from courier.dossiers import booking
from courier.dossiers.models import ResultReturn, Slot
from courier.notifications.models import Notification
from courier.outbox.service import due_count, pending_count, relay_pending
from courier.runtime import unit_of_work
from courier.settings import Settings
from courier.worker import make_celery, use_sender
from tests import services
from tests.builders import booking_day
from tests.conftest import migrate

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def committed_db(tmp_path: Path) -> str:
    """A migrated SQLite file with the demo province, shared with the worker process."""
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        load_demo(session)
    return url


@pytest.fixture
def worker(committed_db: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker` in its own process, on the test database and the Redis broker."""
    with services.celery_worker(committed_db, tmp_path / "worker.log", pool=["--pool=solo"]) as w:
        yield w


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Notification)) or 0


def test_worker_process_sends_the_booking_sms(
    committed_db: str, worker: subprocess.Popen[bytes]
) -> None:
    """Booking → outbox → Redis → worker process → the SMS row, written once, message done."""
    factory = make_session_factory(make_engine(committed_db))
    use_sender(make_celery(Settings(broker_url=services.REDIS_URL)))
    try:
        request = booking.BookingRequest(
            applicant_name="Trần Thị Bình",
            phone="+84912345678",
            address_text="5 Nguyễn Văn Tiết, Lái Thiêu, Thuận An",
            lat=10.905,
            lon=106.70,
            procedure_code="HT-01",
            preferred_on=booking_day(),
            slot=Slot.AFTERNOON,
            result_return=ResultReturn.CENTER,
            consent=True,
            consent_version=Settings().consent_version,
        )
        with unit_of_work(factory) as session:
            booking.book(session, request, Settings(), PUBLIC_CITIZEN)
        with factory() as session:
            assert due_count(session) == 0, "relayed to Redis right after commit"
        assert relay_pending(factory).sent == 0, "leased: a second pass sends nothing again"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with factory() as session:
                if pending_count(session) == 0:
                    break
            assert worker.poll() is None, "the worker process died"
            time.sleep(0.5)
        with factory() as session:
            assert _count(session) == 1
            assert pending_count(session) == 0, "the worker marked its message done"
    finally:
        use_sender(None)
