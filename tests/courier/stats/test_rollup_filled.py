"""Events written before the rollup existed, or around it: the migration fills it, and
`courier stats rebuild` mends it, both to the per-dossier definitions' answers."""

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.cli import alembic_config
from courier.db import make_engine
from courier.demo.load import load_demo
from courier.settings import Settings
from courier.stats import service as stats
from courier.stats.models import SiteDayFailures, SiteDayStats
from courier.stats.periods import period
from tests import services
from tests.conftest import migrate, suite_settings
from tests.courier.cli.test_commands import _courier as courier_command
from tests.courier.stats.lives import SITES, lives
from tests.courier.stats.world import make_dossier

JUNE = (date(2026, 6, 1), date(2026, 6, 30))


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0010(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own as before the rollup (revision 0010's tables for it absent), with
    the demo province and dossiers whose events no rollup heard of."""
    admin, name = None, f"courier_roll_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rollup.sqlite3'}"
    else:
        services.require(services.POSTGRES_URL, "PostgreSQL")
        admin = create_engine(services.POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(services.POSTGRES_URL).set(database=name).render_as_string(False)
    # the data is written with today's models, so at head; then the rollup's tables go and the
    # database says 0010, as if it had never had them (later revisions' changes stay)
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_demo(session)
        for life in lives(seed=7, count=40):
            make_dossier(session, life, rolled_up=False)
        session.execute(text("DROP TABLE site_day_failures"))
        session.execute(text("DROP TABLE site_day_stats"))
    engine.dispose()
    _stamp(url, "0010")
    yield url
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _stamp(url: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["configure_logger"] = False
    command.stamp(config, revision)


def _upgrade_to_the_rollup(url: str) -> None:
    """Run the rollup's revision (0011) alone, then mark the database as at head again."""
    migrate(url, "0011")
    _stamp(url, "head")


def _agree(url: str, settings: Settings) -> int:
    """The rollup's June equals the definitions' June at each center; the dossiers received."""
    engine = make_engine(url)
    with Session(engine) as session:
        sites = list(session.scalars(select(Site).where(Site.code.in_(SITES))))
        june = period(*JUNE, settings.zone)
        found = stats.stats_of(session, sites, june, settings)
        assert found == stats.stats_of_events(session, sites, june, settings)
    engine.dispose()
    return sum(s.received for s in found)


def test_the_migration_fills_the_rollup_from_existing_events(url_at_0010: str) -> None:
    """The rollup's revision sums the events already there."""
    _upgrade_to_the_rollup(url_at_0010)
    assert _agree(url_at_0010, suite_settings()) > 0


def test_the_rebuild_command_mends_lost_days(url_at_0010: str) -> None:
    """Days deleted from the rollup come back with `courier stats rebuild --from --to`."""
    _upgrade_to_the_rollup(url_at_0010)
    engine = make_engine(url_at_0010)
    with Session(engine) as session, session.begin():
        for model in (SiteDayStats, SiteDayFailures):
            session.execute(delete(model).where(model.day_on.between(*JUNE)))
    engine.dispose()
    done = courier_command(
        url_at_0010, "stats", "rebuild", "--from", "2026-06-01", "--to", "2026-06-30"
    )
    assert done.returncode == 0, done.stderr
    assert "statistics rebuilt from 2026-06-01 to 2026-06-30" in done.stdout
    assert _agree(url_at_0010, suite_settings()) > 0
