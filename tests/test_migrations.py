"""One Alembic history: empty → head → empty on SQLite and PostgreSQL, and it matches the models."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import courier.models  # noqa: F401  (the whole schema on the metadata)
from courier.cli import alembic_config
from courier.db import Base, make_engine
from tests import services


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    services.require(services.POSTGRES_URL, "PostgreSQL")
    name = f"courier_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(services.POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _config(url: str):  # type: ignore[no-untyped-def]
    config = alembic_config(url)
    config.attributes["configure_logger"] = False
    return config


def test_upgrade_to_head_matches_the_models(empty_url: str) -> None:
    """After `upgrade head` autogenerate finds nothing to change."""
    command.upgrade(_config(empty_url), "head")
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_leaves_an_empty_database(empty_url: str) -> None:
    """Every migration can be undone: only Alembic's own table remains."""
    config = _config(empty_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables <= {"alembic_version"}


def test_upgrade_again_after_downgrade(empty_url: str) -> None:
    """Up, down and up again works (no leftovers such as enum types or indexes)."""
    config = _config(empty_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    engine = make_engine(empty_url)
    assert "dossier" in inspect(engine).get_table_names()
    engine.dispose()
