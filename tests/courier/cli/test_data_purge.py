"""`courier data purge`, as cron would run it on a real database."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from courier.db import make_engine, make_session_factory
from courier.dossiers.models import Dossier, DossierStatus
from courier.privacy.erasure import MARKER
from courier.settings import Settings
from tests.builders import booking_day
from tests.courier.cli.test_commands import _courier


def test_data_purge_erases_a_dossier_closed_past_retention_once(tmp_path: Path) -> None:
    """The first run erases the closed dossier past retention and says how many; the second
    finds nothing; a dossier closed within the period keeps its data."""
    url = f"sqlite:///{tmp_path / 'purge.sqlite3'}"
    for args in (("db", "upgrade"), ("demo", "load")):
        assert _courier(url, *args).returncode == 0
    day = booking_day().isoformat()
    assert _courier(url, "demo", "bookings", "--date", day, "--count", "2").returncode == 0
    factory = make_session_factory(make_engine(url))
    days = Settings().personal_data_retention_days
    with factory() as session, session.begin():
        old, recent = session.scalars(select(Dossier).order_by(Dossier.id)).all()
        for dossier, age in ((old, days + 1), (recent, days - 1)):
            dossier.status = DossierStatus.CANCELLED
            dossier.status_changed_at -= timedelta(days=age)
    first = _courier(url, "data", "purge")
    assert first.returncode == 0, first.stderr
    assert "personal data erased from 1 closed dossiers" in first.stdout
    assert "from 0 closed" in _courier(url, "data", "purge").stdout
    with factory() as session:
        names = session.scalars(select(Dossier.applicant_name).order_by(Dossier.id)).all()
    assert names[0] == MARKER
    assert names[1] != MARKER
