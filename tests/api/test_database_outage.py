"""A database outage answers 503 with `Retry-After` in the caller's language, and the service
recovers by itself without losing a booking it accepted (PostgreSQL behind a proxy the test cuts).
"""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier import runtime
from courier.db import make_engine, make_session_factory
from courier.dossiers.models import Dossier
from courier.settings import Settings
from tests.builders import booking_body
from tests.conftest import committed_database
from tests.tcp_proxy import TcpProxy

VIETNAMESE = "vui lòng thử lại"
OUTAGE_S = 10


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[TcpProxy, sessionmaker[Session]]]:
    """A proxy in front of a committed PostgreSQL database that the test can cut, and sessions
    through the proxy (the process's too: in-process tasks go the same way)."""
    with committed_database("postgresql", tmp_path) as url:
        parsed = make_url(url)
        with TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432)) as proxy:
            through = parsed.set(host="127.0.0.1", port=proxy.port)
            engine = make_engine(through.render_as_string(hide_password=False))
            runtime.use_session_factory(make_session_factory(engine))
            yield proxy, runtime.session_factory()
            runtime.use_session_factory(None)
            engine.dispose()


class _Traffic:
    """A citizen booking every tenth of a second on a thread, keeping every answer."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.answers: list[Any] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.answers.append(self.client.post("/api/v1/bookings", json=booking_body()))
            time.sleep(0.1)

    def stop(self) -> list[Any]:
        self._stop.set()
        self._thread.join(timeout=60)
        return self.answers


def test_a_database_outage_answers_503_then_the_service_recovers_and_loses_nothing(
    proxied: tuple[TcpProxy, sessionmaker[Session]],
) -> None:
    """Cut for ten seconds under traffic: 201 or 503 (JSON, Retry-After, Vietnamese; English on
    request), never 500; 201 again once it is back; every booking answered 201 is stored."""
    proxy, factory = proxied
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    app = create_app(settings, factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        traffic = _Traffic(client)
        time.sleep(1)
        proxy.cut()
        cut_at = time.monotonic()
        time.sleep(5)
        english = client.post(
            "/api/v1/bookings", json=booking_body(), headers={"Accept-Language": "en"}
        )
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - cut_at)))
        proxy.restore()
        time.sleep(2)
        answers = traffic.stop()
        after = client.post("/api/v1/bookings", json=booking_body())
    statuses = [a.status_code for a in answers]
    print(f"{OUTAGE_S} s without the database: {Counter(statuses)}; 201 again after it")
    assert set(statuses) == {201, 503}, statuses
    assert statuses[-1] == after.status_code == 201, statuses
    for refused in [a for a in answers if a.status_code == 503]:
        assert refused.headers["content-type"] == "application/json"
        assert int(refused.headers["Retry-After"]) > 0
        assert VIETNAMESE in refused.json()["detail"]
    assert english.status_code == 503
    assert "try again" in english.json()["detail"]
    codes = {a.json()["tracking_code"] for a in [*answers, after] if a.status_code == 201}
    with factory() as session:
        stored = set(session.scalars(select(Dossier.tracking_code)))
    assert codes <= stored


def test_no_free_pooled_connection_answers_503(tmp_path: Path) -> None:
    """The only connection of the pool is held elsewhere: the pool's timeout is a 503 to retry."""
    with committed_database("sqlite", tmp_path) as url:
        engine = make_engine(url, pool_size=1, max_overflow=0, pool_timeout_s=0.2)
        app = create_app(Settings(environment="test"), make_session_factory(engine))
        with TestClient(app) as client, engine.connect():
            refused = client.get("/api/v1/procedures", headers={"Accept-Language": "en"})
        engine.dispose()
    assert refused.status_code == 503
    assert refused.headers["Retry-After"].isdigit()
    assert "try again" in refused.json()["detail"]
