"""`courier plan build`: one build message, and a wait that ends with a clear error."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.outbox.models import OutboxMessage
from courier.planning import building, cli, tasks
from courier.settings import Settings
from courier.worker import make_celery, use_sender
from tests.builders import booking_day
from tests.courier.planning.bookings import DEPOT, bookings_day

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The command's settings name a broker that does not answer (no worker will ever build)."""
    settings = Settings(
        environment="test",
        secret_key="test-secret-key-long-enough-for-hs256-signing",
        broker_url=DEAD_BROKER,
        plan_part_seconds=1,
    )
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    use_sender(make_celery(settings))
    yield settings
    use_sender(None)


def test_with_a_broker_the_build_is_sent_once_and_the_wait_ends(
    session: Session, broker_down: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """One `planning.build` message for the plan; no progress: exit 1 saying no worker answered."""
    code = cli.build(booking_day(), [DEPOT], publish=False, stall_s=0.3)
    assert code == 1
    assert "made no progress" in capsys.readouterr().err
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.task_name == "planning.build")
    ).all()
    assert len(messages) == 1


@pytest.fixture
def in_process(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """No broker: the command builds in-process, one second per part."""
    settings.plan_part_seconds = 1
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr(tasks, "get_settings", lambda: settings)
    return settings


def test_a_solver_error_ends_the_command_with_the_plans_error(
    session: Session,
    in_process: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The solver raises: the command stops at once, exit 1, and prints why the plan failed."""
    day: date = bookings_day(session, in_process)

    def broken(*args: Any) -> Any:
        raise RuntimeError("solver ran out of memory")

    monkeypatch.setattr(building, "solve_frozen", broken)
    assert cli.build(day, [DEPOT], publish=False, stall_s=30) == 1
    err = capsys.readouterr().err
    assert "failed" in err
    assert "solver ran out of memory" in err
