"""The operator commands of the courier app: a demo day for a courier, and phones signed out."""

import pytest
from sqlalchemy import func, select

from courier.accounts import devices
from courier.accounts.models import DeviceSession, User
from courier.db import make_engine, make_session_factory
from courier.dossiers.models import Dossier, Job, JobStatus
from courier.fleet.models import Courier
from courier.settings import Settings
from tests.builders import booking_day
from tests.courier.cli.test_commands import _courier


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database made by `courier db upgrade` and `courier demo load`."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-app') / 'cli.sqlite3'}"
    for args in (("db", "upgrade"), ("demo", "load")):
        result = _courier(url, *args)
        assert result.returncode == 0, result.stderr
    return url


def test_demo_day_books_and_assigns_a_couriers_pickups(db_url: str) -> None:
    """`courier demo day` books COUNT pickups on the day and assigns each pair to the courier."""
    day = booking_day().isoformat()
    result = _courier(
        db_url, "demo", "day", "--courier", "bd-cr-tdm-01", "--count", "4", "--date", day
    )
    assert result.returncode == 0, result.stderr
    assert "4 pickups booked" in result.stdout
    factory = make_session_factory(make_engine(db_url))
    with factory() as session:
        courier = session.scalars(select(Courier).where(Courier.code == "BD-CR-TDM-01")).one()
        assert session.scalar(select(func.count()).select_from(Dossier)) == 4
        assigned = session.scalars(select(Job).where(Job.courier_id == courier.id)).all()
        assert len(assigned) == 8
        assert {j.status for j in assigned} == {JobStatus.ASSIGNED}
        procedures = session.scalars(select(Dossier.procedure_id).distinct()).all()
        assert len(procedures) > 1


def test_demo_day_refuses_an_unknown_courier(db_url: str) -> None:
    """An unknown courier code is an error, nothing is booked."""
    result = _courier(
        db_url, "demo", "day", "--courier", "nobody", "--date", booking_day().isoformat()
    )
    assert result.returncode == 1
    assert "no courier nobody" in result.stderr


def test_devices_are_listed_and_revoked(db_url: str) -> None:
    """`courier devices list` shows a phone; `revoke` signs it out with the reason given."""
    factory = make_session_factory(make_engine(db_url))
    with factory() as session, session.begin():
        user = session.scalars(select(User).where(User.username == "bd-cr-tdm-02")).one()
        device, _ = devices.open_session(session, user, name="Galaxy A05", settings=Settings())
        device_id = device.id
    listed = _courier(db_url, "devices", "list", "--user", "bd-cr-tdm-02")
    assert listed.returncode == 0, listed.stderr
    assert "Galaxy A05" in listed.stdout
    assert "active" in listed.stdout
    revoked = _courier(db_url, "devices", "revoke", str(device_id), "--reason", "lost phone")
    assert revoked.returncode == 0, revoked.stderr
    with factory() as session:
        stored = session.get_one(DeviceSession, device_id)
        assert stored.revoke_reason == "lost phone"
        assert stored.revoked_by_id is None
    assert "revoked: lost phone" in _courier(db_url, "devices", "list").stdout
