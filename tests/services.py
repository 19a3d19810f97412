"""Reaching the machine's PostgreSQL, Redis and RabbitMQ: fail loudly on CI, skip elsewhere."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

POSTGRES_URL = os.environ.get(
    "COURIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROOT = Path(__file__).resolve().parents[1]


def worker_number() -> int:
    """0, or the number of this pytest-xdist worker (gw0, gw1...)."""
    return int((os.environ.get("PYTEST_XDIST_WORKER") or "gw0").removeprefix("gw"))


def _own_redis_database(url: str) -> str:
    """The Redis URL with a database of this worker's own (15, 14... counting down from the
    URL's): each worker's `celery worker` consumes only what its own tests sent."""
    parsed = urlparse(url)
    database = (int(parsed.path.strip("/") or 0) - worker_number()) % 16
    return parsed._replace(path=f"/{database}").geturl()


REDIS_URL = _own_redis_database(
    os.environ.get("COURIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)


def on_ci() -> bool:
    """True on the CI machine, where every service must be there."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def reachable(url: str) -> bool:
    """True when something listens at the URL's host and port."""
    parsed = urlparse(url.replace("+psycopg", ""))
    defaults = {"postgresql": 5432, "redis": 6379, "amqp": 5672}
    port = parsed.port or defaults.get(parsed.scheme, 0)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def require(url: str, name: str) -> None:
    """Skip (or on CI, fail) when the service is not reachable."""
    if reachable(url):
        return
    message = f"{name} is not reachable at {url}"
    if on_ci():
        pytest.fail(f"{message}; CI must provide it", pytrace=False)
    pytest.skip(message)


@contextmanager
def celery_worker(
    database_url: str, log: Path, *, pool: list[str], env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on the Redis test broker and a committed database."""
    require(REDIS_URL, "Redis")
    environment = dict(
        os.environ, COURIER_BROKER_URL=REDIS_URL, COURIER_DATABASE_URL=database_url, **(env or {})
    )
    command = [sys.executable, "-m", "celery", "-A", "courier.worker:celery_app", "worker"]
    command += [*pool, "-Q", "courier", "--loglevel=INFO"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
