"""The service as `courier serve` runs it, on a free port, and clients that hammer it
(its database: `tests.conftest.committed_database`)."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests import services

SECRET = "fault-suite-secret-key-long-enough-for-hs256"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    """A running `courier serve`: its address, process and log."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> float:
        """SIGTERM, and the seconds it took to exit (SIGKILL after 60 s: the test then fails)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return float("inf")
        return time.monotonic() - started


@contextmanager
def served(database_url: str, folder: Path, *, workers: int = 1, **env: str) -> Iterator[Served]:
    """`courier serve` on the database, with no broker (tasks in its own worker thread)."""
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("COURIER_")
    }
    environment.update(
        COURIER_ENVIRONMENT="test",
        COURIER_SECRET_KEY=SECRET,
        COURIER_PASSWORD_HASH_PROFILE="cheapest",
        COURIER_DATABASE_URL=database_url,
        COURIER_MEDIA_DIR=str(folder / "media"),
        COURIER_SIGNING_KEY_FILE=str(folder / "signing-key.pem"),
        COURIER_TRACK_RATE_LIMIT="1000000/minute",
        COURIER_BOOKING_RATE_LIMIT="1000000/minute",
        COURIER_BOOKINGS_PER_PHONE_PER_DAY="1000000",
        **env,
    )
    log = folder / f"serve-{port}.log"
    command = [sys.executable, "-m", "courier", "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            cwd=services.ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    runner = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(runner)
        yield runner
    finally:
        if process.poll() is None:
            runner.stop()


def _wait_until_up(runner: Served) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert runner.process.poll() is None, runner.log.read_text()[-3000:]
        try:
            if call(runner.base, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the service did not start: {runner.log.read_text()[-3000:]}")


def call(
    base: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: (status, headers, body)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout_s)
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers={**sent, **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@dataclass
class Tally:
    """What a crowd of clients got: statuses and latencies (s)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    retry_after_missing: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str, latency: float, retry_after: bool = True) -> None:
        """Note one answer."""
        with self.lock:
            self.outcomes[outcome] += 1
            self.latencies.append(latency)
            self.retry_after_missing += not retry_after

    def quantile(self, q: float) -> float:
        """The q-quantile of the latencies."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        """One line for the test's output."""
        return (
            f"{len(self.latencies)} answers {dict(self.outcomes)}, p50 {self.quantile(0.5):.3f} s,"
            f" p99 {self.quantile(0.99):.3f} s, max {max(self.latencies, default=0):.3f} s"
        )


def crowd(
    base: str,
    clients: int,
    seconds: float,
    request: Callable[[int], tuple[str, str, Any]],
    *,
    pace_s: float = 0.0,
) -> Tally:
    """`clients` threads in a closed loop for `seconds`, each on its own kept-alive connection
    and starting a request at most every `pace_s`; `request(i)` gives (method, path, body) of
    the i-th request of a client."""
    tally = Tally()
    stop_at = time.monotonic() + seconds
    host, port = base.removeprefix("http://").split(":")

    def client() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        i = 0
        while time.monotonic() < stop_at:
            method, path, body = request(i)
            i += 1
            started = time.monotonic()
            next_at = started + pace_s
            try:
                data = json.dumps(body).encode() if body is not None else None
                heads = {"Content-Type": "application/json"} if data is not None else {}
                conn.request(method, path, body=data, headers=heads)
                response = conn.getresponse()
                response.read()
                status = response.status
                tally.add(
                    str(status),
                    time.monotonic() - started,
                    status != 503 or response.getheader("Retry-After") is not None,
                )
            except (OSError, http.client.HTTPException) as exc:
                tally.add(type(exc).__name__, time.monotonic() - started)
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
            time.sleep(max(0.0, next_at - time.monotonic()))
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 90)
    return tally
