"""The served API under crowds and during a plan build: it answers, sheds load with 503, stops.

Figures are printed, not asserted (the machine is shared): what is asserted is that every
request gets an answer, that refusals are 503s with `Retry-After`, that the service answers at
once after the crowd, and that SIGTERM stops it.
"""

import http.client
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from courier.db import make_engine, make_session_factory
from courier.demo.load import load_bookings
from courier.runtime import unit_of_work
from courier.settings import Settings
from tests.builders import booking_body, booking_day
from tests.conftest import committed_database
from tests.faults.serving import call, crowd, served

pytestmark = pytest.mark.slow
SHUTDOWN_GRACE_S = 5


def _book(base: str, **overrides: Any) -> dict[str, Any]:
    status, _, body = call(base, "POST", "/api/v1/bookings", booking_body(**overrides))
    assert status == 201, body
    answer: dict[str, Any] = json.loads(body)
    return answer


def _tracking_and_bookings(code: str) -> Any:
    """Nine tracking reads for one booking, as citizens following their dossiers would."""

    def request(i: int) -> tuple[str, str, Any]:
        if i % 10 == 9:
            return "POST", "/api/v1/bookings", booking_body(phone=f"0912 345 {i % 1000:03d}")
        return "GET", f"/api/v1/track/{code}?phone=5678", None

    return request


def _assert_held(tally: Any, label: str) -> None:
    print(f"{label}: {tally.summary()}", flush=True)
    unexpected = {k: n for k, n in tally.outcomes.items() if k not in {"200", "201", "503"}}
    assert not unexpected, f"{label}: answers other than 200/201/503: {unexpected}"
    assert tally.retry_after_missing == 0, "a 503 without Retry-After"
    assert tally.outcomes["200"] + tally.outcomes["201"] > 0, "nothing got through"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("workers", [1, 2])
def test_crowds_of_60_and_200_clients_get_answers_and_the_service_stops(
    workers: int, tmp_path: Path
) -> None:
    """60, then 200 clients in a closed loop for 12 s each on one or two uvicorn workers
    (PostgreSQL): every request is answered (or shed with 503 + Retry-After), the service
    answers at once afterwards, and SIGTERM stops it within its grace period."""
    env = {"COURIER_SHUTDOWN_GRACE_S": str(SHUTDOWN_GRACE_S)}
    with (
        committed_database("postgresql", tmp_path) as url,
        served(url, tmp_path, workers=workers, **env) as app,
    ):
        code = _book(app.base)["tracking_code"]
        for clients in (60, 200):
            tally = crowd(app.base, clients, 12, _tracking_and_bookings(code))
            _assert_held(tally, f"{workers} worker(s), {clients} clients")
            started = time.monotonic()
            status, _, _ = call(app.base, "GET", f"/api/v1/track/{code}?phone=5678", timeout_s=10)
            assert status == 200
            print(f"  the next request after the crowd: {time.monotonic() - started:.3f} s")
        # a crowd still running when SIGTERM comes: the service stops anyway
        hammer = threading.Thread(
            target=crowd, args=(app.base, 100, 8, _tracking_and_bookings(code)), daemon=True
        )
        hammer.start()
        time.sleep(2)
        took = app.stop()
        print(f"  SIGTERM under load: stopped in {took:.1f} s")
        assert took < SHUTDOWN_GRACE_S + 15


@pytest.mark.timeout(300)
def test_the_embedded_mode_answers_during_a_plan_build(tmp_path: Path) -> None:
    """SQLite, no broker: 300 bookings planned while 2 bookings/s and 5 tracking reads/s come
    in; every request answers 2xx and the plan is built."""
    with committed_database("sqlite", tmp_path) as url:
        settings = Settings(database_url=url)
        engine = make_engine(url)
        with unit_of_work(make_session_factory(engine)) as session:
            load_bookings(session, settings, on=booking_day(), count=300, seed=7)
        engine.dispose()
        _plan_under_load(url, tmp_path)


def _plan_under_load(url: str, tmp_path: Path) -> None:
    with served(url, tmp_path, COURIER_PLAN_PART_SECONDS="4") as app:
        code = _book(app.base)["tracking_code"]
        token = _token(app.base)
        auth = {"Authorization": f"Bearer {token}"}
        status, _, body = call(
            app.base, "POST", "/api/v1/plans", {"service_on": booking_day().isoformat()}, auth
        )
        assert status == 202, body
        plan_id = json.loads(body)["id"]
        tallies: dict[str, Any] = {}
        load = [
            threading.Thread(target=lambda: tallies.update(book=_paced_bookings(app.base))),
            threading.Thread(target=lambda: tallies.update(track=_paced_tracking(app.base, code))),
        ]
        for thread in load:
            thread.start()
        plan = _wait_for_plan(app.base, plan_id, auth, timeout_s=150)
        for thread in load:
            thread.join()
        for name, tally in tallies.items():
            print(f"during the build, {name}: {tally.summary()}")
            assert set(tally.outcomes) <= {"200", "201"}, tally.outcomes
        print(f"plan {plan_id}: {plan['status']}, {plan['parts_done']}/{plan['parts_total']} parts")
        assert plan["status"] == "built", plan


def _paced_bookings(base: str) -> Any:
    """Two clients, one booking a second each, for 40 s."""

    def request(i: int) -> tuple[str, str, Any]:
        return "POST", "/api/v1/bookings", booking_body(phone=f"0913 000 {i % 1000:03d}")

    return crowd(base, 2, 40, request, pace_s=1.0)


def _paced_tracking(base: str, code: str) -> Any:
    """Five clients, one tracking read a second each, for 40 s."""
    return crowd(
        base, 5, 40, lambda i: ("GET", f"/api/v1/track/{code}?phone=5678", None), pace_s=1.0
    )


def _token(base: str) -> str:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request(
        "POST",
        "/api/v1/auth/token",
        body="username=admin&password=demo-admin-2026",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = json.loads(conn.getresponse().read())
    conn.close()
    token: str = answer["access_token"]
    return token


def _wait_for_plan(
    base: str, plan_id: int, auth: dict[str, str], *, timeout_s: float
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        status, _, body = call(base, "GET", f"/api/v1/plans/{plan_id}", headers=auth)
        assert status == 200, body
        plan: dict[str, Any] = json.loads(body)
        if plan["status"] not in ("queued", "building") or time.monotonic() > deadline:
            return plan
        time.sleep(1)
