"""The broker goes away during a burst of bookings and handovers, then comes back.

On Redis the test's own redis-server is stopped (it keeps nothing: messages queued or being
worked on are lost with it) and started again on the same port; on RabbitMQ a proxy in front of
the machine's server drops every connection and refuses new ones. Requests must still answer
(the outbox holds their tasks); once the broker is back, the relay, run every second as beat
runs it, brings every message to one effect.
"""

import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.notifications.models import Notification
from courier.outbox.models import OutboxMessage
from courier.proofs.models import Receipt
from tests.builders import booking_body, pick_up
from tests.faults.scene import Timeline, all_done, outbox_summary, unsettled, wait_until
from tests.faults.workers import all_runs, effective_runs, stage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.parametrize("committed", ["postgresql"], indirect=True),
]
OUTAGE_S = 10


@dataclass(frozen=True, slots=True)
class Burst:
    """What a burst of bookings got: tracking codes, status codes, seconds each."""

    codes: list[str]
    statuses: list[int]
    seconds: list[float]

    def __str__(self) -> str:
        median, most = statistics.median(self.seconds), max(self.seconds)
        return f"{self.statuses}, p50 {median:.2f} s, max {most:.2f} s"


def _burst(client: TestClient, count: int) -> Burst:
    """`count` bookings, four at a time (TestClient also waits for the after-response relay)."""

    def one(_: int) -> tuple[str, int, float]:
        started = time.monotonic()
        response = client.post("/api/v1/bookings", json=booking_body())
        code = response.json().get("tracking_code", "") if response.status_code == 201 else ""
        return code, response.status_code, time.monotonic() - started

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(one, range(count)))
    return Burst(*(list(column) for column in zip(*answers, strict=True)))


def _undone(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).where(OutboxMessage.done_at.is_(None))) or 0


def _count(factory: sessionmaker[Session], model: Any) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.timeout(240)
@pytest.mark.parametrize("kind", ["redis", "rabbitmq"])
def test_nothing_accepted_during_a_broker_outage_is_lost_or_done_twice(
    committed: sessionmaker[Session], tmp_path: Path, kind: str
) -> None:
    """Bookings and pickups answer 201 while the broker is away; after it returns, every
    booking and pickup has its one SMS, every pickup its one receipt, every message is done."""
    timeline = Timeline(f"{kind} stopped and restarted during bookings and handovers")
    with (
        stage(committed, tmp_path, timeline, kind=kind, names=["a"]) as running_on,
        TestClient(create_app(running_on.scenario.settings(), committed)) as client,
        committed() as session,
    ):
        away = running_on.broker
        before = _burst(client, 6)
        timeline.note(f"6 bookings with the broker up: {before}")
        away.cut()
        cut_at = time.monotonic()
        timeline.note(f"{kind} cut")
        during = _burst(client, 8)
        timeline.note(f"8 bookings during the outage: {during}")
        for code in before.codes[:2]:
            pick_up(client, session, code)
        timeline.note(f"2 pickups during the outage; {_undone(committed)} messages not done")
        time.sleep(max(0.0, cut_at + OUTAGE_S - time.monotonic()))
        away.restore()
        timeline.note(f"{kind} back after {time.monotonic() - cut_at:.1f} s")
        after = _burst(client, 4)
        timeline.note(f"4 bookings after: {after}")
        drained = wait_until(all_done(committed), timeout_s=150)
        timeline.note(f"every outbox message done: {drained}")
        runs = all_runs(running_on.workers)
    log = running_on.workers[0].log.read_text()
    lost = log.count("Connection to broker lost") + log.count("consumer: Cannot connect")
    sms, receipts = _count(committed, Notification), _count(committed, Receipt)
    sms_runs = effective_runs(runs, "notifications.send_event")
    receipt_runs = effective_runs(runs, "proofs.render_receipt")
    timeline.note(
        f"worker logged {lost} broker losses or failed reconnects; {sms} SMS, {receipts} "
        f"receipts; messages by runs with an effect: {Counter(sms_runs.values())} (SMS), "
        f"{Counter(receipt_runs.values())} (receipts); {outbox_summary(committed)}"
    )
    assert before.statuses + during.statuses + after.statuses == [201] * 18
    assert drained, unsettled(committed)
    assert (sms, receipts) == (18 + 2, 2), "one SMS per booking and pickup, a receipt per pickup"
    assert set(sms_runs.values()) == set(receipt_runs.values()) == {1}
    assert unsettled(committed) == []
