"""The operator command line on a fresh SQLite file, as an operator would run it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courier.db import make_engine, make_session_factory
from courier.demo import data
from courier.dossiers.models import Dossier, Job
from tests.builders import booking_day, weekend_day

ROOT = Path(__file__).resolve().parents[3]


def _courier(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "COURIER_DATABASE_URL": db_url,
        "COURIER_PASSWORD_HASH_PROFILE": "cheapest",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "courier", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database made by `courier db upgrade` and `courier demo load`."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.sqlite3'}"
    for args in (("db", "upgrade"), ("demo", "load"), ("demo", "load")):
        result = _courier(url, *args)
        assert result.returncode == 0, result.stderr
    return url


def test_demo_load_reports_the_province(db_url: str) -> None:
    """Loading twice is safe and reports the demo's size."""
    result = _courier(db_url, "demo", "load")
    assert result.returncode == 0
    assert f"{len(data.SITES)} sites, {len(data.PROCEDURES)} procedures" in result.stdout
    assert f"{len(data.COURIERS)} couriers" in result.stdout


def test_demo_bookings_creates_dossiers_and_job_pairs(db_url: str) -> None:
    """N bookings for a working day become N dossiers with two jobs each."""
    result = _courier(
        db_url, "demo", "bookings", "--date", booking_day().isoformat(), "--count", "25"
    )
    assert result.returncode == 0, result.stderr
    factory = make_session_factory(make_engine(db_url))
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 25
        assert session.scalar(select(func.count()).select_from(Job)) == 50


def test_demo_bookings_refuses_a_weekend(db_url: str) -> None:
    """A non-working day is refused with a message and an exit code, and nothing is stored."""
    result = _courier(
        db_url, "demo", "bookings", "--date", weekend_day().isoformat(), "--count", "5"
    )
    assert result.returncode == 1
    assert "working day" in result.stderr


def test_users_create_binds_center_staff_to_a_site(db_url: str) -> None:
    """Center staff need a site; with one, the account is created."""
    missing = _courier(
        db_url,
        "users",
        "create",
        "--role",
        "center_staff",
        "--username",
        "clerk.ta",
        "--password",
        "a-long-password",
    )
    assert missing.returncode == 1
    assert "site" in missing.stderr
    made = _courier(
        db_url,
        "users",
        "create",
        "--role",
        "center_staff",
        "--username",
        "clerk.ta",
        "--password",
        "a-long-password",
        "--site",
        "BD-TA",
    )
    assert made.returncode == 0, made.stderr
    assert "clerk.ta (center_staff)" in made.stdout


def _dispatcher(db_url: str, username: str, site: str | None) -> subprocess.CompletedProcess[str]:
    args = ["users", "create", "--role", "dispatcher", "--username", username]
    return _courier(
        db_url, *args, "--password", "a-long-password", *(["--site", site] if site else [])
    )


@pytest.mark.parametrize(
    ("site", "refusal"),
    [(None, "must be bound to a site"), ("BD-TA", "bound to a post office")],
)
def test_users_create_binds_a_dispatcher_to_a_post_office(
    db_url: str, site: str | None, refusal: str
) -> None:
    """A dispatcher without --site, or with a center's, is refused by name; nothing is created."""
    refused = _dispatcher(db_url, "dispatch.x", site)
    assert refused.returncode == 1
    assert refusal in refused.stderr


def test_users_create_refuses_center_staff_at_a_post_office(db_url: str) -> None:
    """A counter clerk bound to a post office would see nothing: refused by name."""
    args = ["users", "create", "--role", "center_staff", "--username", "clerk.po"]
    refused = _courier(db_url, *args, "--password", "a-long-password", "--site", "BD-PO-TA-1")
    assert refused.returncode == 1
    assert "bound to a center or branch" in refused.stderr


def test_users_create_makes_a_dispatcher_of_a_post_office(db_url: str) -> None:
    """With a post office's code the dispatcher account is created."""
    made = _dispatcher(db_url, "dispatch.ta", "BD-PO-TA-1")
    assert made.returncode == 0, made.stderr
    assert "dispatch.ta (dispatcher)" in made.stdout


def test_keys_signing_key_creates_a_key_once(db_url: str, tmp_path: Path) -> None:
    """The custody signing key is written owner-only and never replaced by a second call."""
    key = tmp_path / "keys" / "signing-key.pem"
    env = {**os.environ, "COURIER_DATABASE_URL": db_url, "COURIER_SIGNING_KEY_FILE": str(key)}
    command = [sys.executable, "-m", "courier", "keys", "signing-key"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert "ed25519:" in first.stdout
    assert key.stat().st_mode & 0o777 == 0o600
    written = key.read_bytes()
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert second.returncode == 1
    assert "already exists" in second.stderr
    assert key.read_bytes() == written


def test_plan_build_builds_and_publishes_with_a_progress_bar(db_url: str, tmp_path: Path) -> None:
    """`courier plan build --date D --depot X --publish`: parts solved, a summary, published."""
    day = booking_day().isoformat()
    assert _courier(db_url, "demo", "bookings", "--date", day, "--count", "20").returncode == 0
    env = {
        **os.environ,
        "COURIER_DATABASE_URL": db_url,
        "COURIER_PLAN_PART_SECONDS": "1",
        "COURIER_MEDIA_DIR": str(tmp_path / "media"),
    }
    env.pop("COURIER_BROKER_URL", None)
    command = [sys.executable, "-m", "courier", "plan", "build", "--date", day]
    command += ["--depot", "BD-PO-TDM-1", "--publish"]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert " built: " in result.stdout
    assert "published" in result.stdout
    factory = make_session_factory(make_engine(db_url))
    with factory() as session:
        assigned = session.scalar(
            select(func.count()).select_from(Job).where(Job.status == "assigned")
        )
    assert assigned is not None
    assert assigned > 0
    weekend = _courier(db_url, "plan", "build", "--date", weekend_day().isoformat())
    assert weekend.returncode == 1
    assert "working day" in weekend.stderr
