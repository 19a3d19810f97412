"""Requests wait for a database slot on the event loop, a bounded time, then get 503."""

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.admission import Admission, Overloaded
from api.main import create_app
from courier.db import make_engine, make_session_factory
from courier.demo.load import load_demo
from courier.runtime import unit_of_work
from courier.settings import Settings
from tests.builders import book
from tests.conftest import migrate


def test_a_full_line_is_refused_at_once_and_a_slow_one_after_its_wait() -> None:
    """One slot held: with no room in line the next is refused at once; with room, after
    waiting its bound; once the slot is free, a request gets it."""

    async def scenario() -> list[str]:
        seen = []
        no_line = Admission(1, queue_max=0, wait_s=5)
        short_wait = Admission(1, queue_max=10, wait_s=0.2)
        for admission in (no_line, short_wait):
            async with admission.slot():
                started = time.monotonic()
                with pytest.raises(Overloaded) as refused:
                    async with admission.slot():
                        pass
                seen.append(f"{time.monotonic() - started:.1f}")
                assert refused.value.retry_after_s >= 1
            async with admission.slot():
                seen.append("admitted")
        return seen

    assert asyncio.run(scenario()) == ["0.0", "admitted", "0.2", "admitted"]


def test_slots_may_not_exceed_the_pool() -> None:
    """More slots than pooled connections would bring the deadlock back: refused at start."""
    with pytest.raises(ValueError, match="API_DB_SLOTS"):
        Settings(db_pool_size=4, db_max_overflow=2, api_db_slots=7)
    assert Settings(db_pool_size=4, db_max_overflow=2).db_slots == 4


def test_an_overloaded_service_answers_503_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No slot came in time: 503, a Retry-After header and a JSON body in the caller's language."""

    def busy(self: Admission) -> object:
        raise Overloaded(retry_after_s=3)

    monkeypatch.setattr(Admission, "slot", busy)
    response = client.get("/api/v1/procedures")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    assert response.headers["content-type"].startswith("application/json")
    assert "quá tải" in response.json()["detail"], "Vietnamese first"
    english = client.get("/api/v1/procedures", headers={"Accept-Language": "en"})
    assert english.status_code == 503
    assert "busy" in english.json()["detail"]


def test_reads_do_not_wait_for_a_sqlite_writer(tmp_path: Path) -> None:
    """A writer holds the SQLite write lock: a read (the sites) still answers at once (WAL,
    DEFERRED). Tracking with the phone's digits is no mere read (a wrong try is counted), so it
    takes the write lock like a booking."""
    url = f"sqlite:///{tmp_path / 'wal.sqlite3'}"
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        load_demo(session)
    app = create_app(Settings(environment="test", track_rate_limit="1000/minute"), factory)
    with TestClient(app) as client:
        book(client)
        writer = sqlite3.connect(tmp_path / "wal.sqlite3", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            answer = client.get("/api/v1/sites")
            read_s = time.monotonic() - started
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    engine.dispose()
    assert answer.status_code == 200
    assert read_s < 4, f"the read waited {read_s:.1f} s for the writer (busy timeout is 5 s)"
