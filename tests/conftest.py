"""Test databases built by the Alembic migrations, on SQLite and PostgreSQL; each test rolls back."""

import os
import tempfile

os.environ.pop("COURIER_BROKER_URL", None)  # tasks run in-process in the suite
os.environ.setdefault("COURIER_ENVIRONMENT", "test")
os.environ.setdefault("COURIER_SECRET_KEY", "test-secret-key-long-enough-for-hs256-signing")
os.environ.setdefault("COURIER_PASSWORD_HASH_PROFILE", "cheapest")
# the suite runs a request's tasks right after its answer (tests see their effect); the embedded
# worker thread of `courier serve` is tested on its own
os.environ.setdefault("COURIER_EMBEDDED_WORKER", "false")
# the suite books many pickups for one phone from one address; the limits have their own tests
os.environ.setdefault("COURIER_BOOKING_RATE_LIMIT", "1000000/minute")
os.environ.setdefault("COURIER_BOOKINGS_PER_PHONE_PER_DAY", "1000000")
# images, receipts and the signing key of the suite live in a throwaway folder, a sub-folder for
# each pytest-xdist worker (receipts are stored under their handover's id, which the workers'
# databases hand out alike); the workers inherit what the controlling process set here
os.environ.setdefault("COURIER_TEST_SCRATCH", tempfile.mkdtemp(prefix="courier-tests-"))
os.environ.update(
    {
        name: os.path.join(
            os.environ["COURIER_TEST_SCRATCH"],
            os.environ.get("PYTEST_XDIST_WORKER") or "main",
            leaf,
        )
        for name, leaf in (("COURIER_MEDIA_DIR", "media"), ("COURIER_SIGNING_KEY_FILE", "key.pem"))
        # unless the caller chose one
        if os.environ.get(name, os.environ["COURIER_TEST_SCRATCH"]).startswith(
            os.environ["COURIER_TEST_SCRATCH"]
        )
    }
)

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier import runtime
from courier.cli import alembic_config
from courier.db import make_engine, make_session_factory
from courier.demo.load import load_demo
from courier.settings import Settings
from tests import services

BACKENDS = ["sqlite", "postgresql"]


def migrate(url: str, revision: str = "head") -> None:
    """Run the project's migrations on a database."""
    config = alembic_config(url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh SQLite file, and a fresh PostgreSQL database when the server is there."""
    sqlite_path = tmp_path_factory.mktemp("db") / "test.sqlite3"
    urls = {"sqlite": f"sqlite:///{sqlite_path}"}
    admin: Engine | None = None
    name = f"courier_test_{uuid.uuid4().hex[:8]}"
    if services.reachable(services.POSTGRES_URL):
        admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        urls["postgresql"] = (
            make_url(services.POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        )
    yield urls
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, database_urls: dict[str, str]) -> Iterator[Engine]:
    """A migrated database with the demo province loaded, per backend."""
    backend = request.param
    if backend not in database_urls:
        services.require(services.POSTGRES_URL, "PostgreSQL")
    url = database_urls[backend]
    migrate(url)
    eng = make_engine(url)
    with Session(eng) as session, session.begin():
        load_demo(session)
    yield eng
    eng.dispose()


@contextmanager
def committed_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a migrated database of its own with the demo province, where requests really
    commit (a throwaway SQLite file, or a PostgreSQL database dropped afterwards)."""
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'committed.sqlite3'}"
    else:
        services.require(services.POSTGRES_URL, "PostgreSQL")
        name = f"courier_race_{uuid.uuid4().hex[:8]}"
        admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(services.POSTGRES_URL).set(database=name).render_as_string(False)
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_demo(session)
    engine.dispose()
    try:
        yield url
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(params=BACKENDS)
def committed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a committed database of their own, the process's factory meanwhile."""
    with committed_database(request.param, tmp_path) as url:
        engine = make_engine(url)
        factory = make_session_factory(engine)
        runtime.use_session_factory(factory)
        yield factory
        runtime.use_session_factory(None)
        engine.dispose()


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back at the end."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@contextmanager
def joined_sessions(connection: Connection) -> Iterator[sessionmaker[Session]]:
    """Sessions joined to the connection's transaction (their commits become savepoints), the
    process's factory meanwhile."""
    made = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    runtime.use_session_factory(made)
    yield made
    runtime.use_session_factory(None)


def suite_settings() -> Settings:
    """Test settings: a real secret, a generous public rate limit."""
    return Settings(
        environment="test",
        secret_key="test-secret-key-long-enough-for-hs256-signing",
        track_rate_limit="1000/minute",
    )


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    with rolled_back(engine) as conn:
        yield conn


@pytest.fixture
def factory(connection: Connection) -> Iterator[sessionmaker[Session]]:
    """Sessions joined to the test's transaction (their commits become savepoints)."""
    with joined_sessions(connection) as made:
        yield made


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and checking state."""
    with factory() as s:
        yield s


@pytest.fixture
def settings() -> Settings:
    """Test settings: a real secret, a generous public rate limit."""
    return suite_settings()


@pytest.fixture
def app(settings: Settings, factory: sessionmaker[Session]) -> FastAPI:
    """The app on the test's transaction."""
    return create_app(settings, factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for the app."""
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Small data files copied for the tests."""
    return Path(__file__).parent / "data"


# folders whose tests run one after another on one pytest-xdist worker: the fault suite starts
# services, Celery workers and crowds of clients, timed against short leases
ONE_WORKER_FOLDERS = ("tests/faults/",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` (each module on one worker, its module fixtures made once), with each
    of ONE_WORKER_FOLDERS as one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

    class Units(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            folder = next((f for f in ONE_WORKER_FOLDERS if nodeid.startswith(f)), None)
            return folder or super()._split_scope(nodeid)

    return Units(config, log)
