"""Two identical handovers sent at the same moment create one handover (committed databases)."""

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from api.main import create_app
from courier import runtime
from courier.db import make_engine, make_session_factory
from courier.demo.load import load_demo
from courier.handovers.models import Handover
from courier.settings import Settings
from tests import services
from tests.builders import assigned_pickup, courier_id, headers_for, post_handover
from tests.conftest import migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def committed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A migrated database of its own with the demo province, where requests really commit."""
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    else:
        services.require(services.POSTGRES_URL, "PostgreSQL")
        name = f"courier_race_{uuid.uuid4().hex[:8]}"
        admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(services.POSTGRES_URL).set(database=name).render_as_string(False)
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        load_demo(session)
    runtime.use_session_factory(factory)
    yield factory
    runtime.use_session_factory(None)
    engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_identical_requests_at_once_make_one_handover(committed: Any) -> None:
    """Both answers name the same handover; one was created (201), the other replayed (200)."""
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as client:
        with committed() as session:  # closed before the race: SQLite writers wait on readers
            cid = courier_id(session, "BD-CR-TDM-01")
            dispatcher = headers_for(session, "dispatch.tdm")
            courier = headers_for(session, "bd-cr-tdm-01")
        _, body = assigned_pickup(client, cid=cid, dispatcher=dispatcher, courier=courier)

        barrier = threading.Barrier(2)
        answers: list[Any] = []

        def send() -> None:
            barrier.wait()
            answers.append(post_handover(client, dict(body), courier, complete=False))

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
        assert answers[0].json()["id"] == answers[1].json()["id"]
        with committed() as session:
            count = session.scalar(
                select(func.count())
                .select_from(Handover)
                .where(Handover.idempotency_key == body["idempotency_key"])
            )
        assert count == 1
