"""Brokers a test may take away: its own redis-server, or RabbitMQ behind a TCP proxy.

Never the machine's services: a Redis of our own is stopped and started again (it keeps
nothing, like a crash), and RabbitMQ is cut off by a proxy that drops every connection and
refuses new ones until it is restored.
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import pytest
from kombu import Connection  # type: ignore[attr-defined]

from tests import services
from tests.tcp_proxy import TcpProxy

AMQP_URL = os.environ.get("COURIER_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


class Broker(Protocol):
    """A broker the test can cut off and bring back."""

    @property
    def url(self) -> str:
        """Where workers and the relay reach it."""

    def cut(self) -> None:
        """Make the broker unreachable: live connections drop, new ones are refused."""

    def restore(self) -> None:
        """Make it reachable again."""


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_reachable(url: str, timeout_s: float = 10) -> None:
    """Wait until something listens at the URL."""
    deadline = time.monotonic() + timeout_s
    while not services.reachable(url):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens at {url}")
        time.sleep(0.05)


class RedisServer:
    """A redis-server of the test's own, with no persistence: a stop loses every message."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def restore(self) -> None:
        """Start the server (again) on its port."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        command += ["--dir", str(self.folder)]
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_reachable(self.url)

    def cut(self) -> None:
        """Stop the server; what it held is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass(frozen=True, slots=True)
class ProxiedBroker:
    """The machine's RabbitMQ reached through a proxy: cut, connections drop (RabbitMQ runs on)."""

    url: str
    proxy: TcpProxy

    def cut(self) -> None:
        """Drop every connection to the broker and refuse new ones."""
        self.proxy.cut()

    def restore(self) -> None:
        """Let connections through again."""
        self.proxy.restore()


def require_program(name: str) -> None:
    """Skip (or on CI, fail) when a program the test starts is not installed."""
    if shutil.which(name) is None:
        message = f"{name} is not installed"
        if services.on_ci():
            pytest.fail(f"{message}; CI must provide it", pytrace=False)
        pytest.skip(message)


@contextmanager
def broker(kind: str, folder: Path, queue: str) -> Iterator[Broker]:
    """A running broker of that kind ("redis" or "rabbitmq"); afterwards nothing of `queue` is
    left behind (our own Redis is stopped, the RabbitMQ queue and its exchange deleted)."""
    if kind == "redis":
        require_program("redis-server")
        redis = RedisServer(folder)
        redis.restore()
        try:
            yield redis
        finally:
            redis.cut()
        return
    services.require(AMQP_URL, "RabbitMQ")
    server = urlparse(AMQP_URL)
    try:
        with TcpProxy((server.hostname or "127.0.0.1", server.port or 5672)) as proxy:
            netloc = f"{server.username}:{server.password}@127.0.0.1:{proxy.port}"
            yield ProxiedBroker(server._replace(netloc=netloc).geturl(), proxy)
    finally:
        with Connection(AMQP_URL) as connection:  # type: ignore[no-untyped-call]
            channel = connection.default_channel
            channel.queue_delete(queue)
            channel.exchange_delete(queue)
