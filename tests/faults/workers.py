"""Celery worker processes a test can kill, each in a process group of its own, and what they ran.

Each worker runs `tests.faults.hooked_worker`, which writes every task's start and end to a
file: the test reads from it which worker was running what when it killed it, and how many
runs of each message had an effect (the task returned True).
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from courier.worker import OUTBOX_TASK_PREFIX
from tests import services
from tests.faults.brokers import Broker, broker
from tests.faults.scene import (
    Scenario,
    Timeline,
    beat,
    database_url,
    sending_to,
    unique_queue,
)


@dataclass
class Run:
    """One run of a task in a worker: started, and ended unless its process died first."""

    worker: str
    pid: int
    task: str
    message_id: int
    kwargs: dict[str, Any]
    started_at: float
    ended_at: float | None = None
    retval: Any = None


@dataclass
class Worker:
    """A `celery worker` (prefork, one child) in a process group of its own."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    events: Path

    def wait_ready(self, timeout_s: float = 90) -> None:
        """Wait until the worker consumes its queue."""
        deadline = time.monotonic() + timeout_s
        while b" ready." not in self.log.read_bytes():
            assert self.process.poll() is None, f"worker {self.name} died:\n{self.tail()}"
            assert time.monotonic() < deadline, f"worker {self.name} not ready:\n{self.tail()}"
            time.sleep(0.2)

    def runs(self) -> list[Run]:
        """The task runs the worker's processes wrote, in order of start."""
        runs: list[Run] = []
        running: dict[tuple[int, str], Run] = {}  # by process and message: one run at a time
        lines = self.events.read_text().splitlines() if self.events.exists() else []
        for event in map(json.loads, lines):
            key = (event["pid"], event["id"])
            if event["event"] == "start":
                message_id = int(event["id"].removeprefix(OUTBOX_TASK_PREFIX))
                running[key] = Run(
                    self.name, event["pid"], event["task"], message_id, event["kwargs"], event["t"]
                )
                runs.append(running[key])
            elif key in running:
                run = running.pop(key)
                run.ended_at, run.retval = event["t"], event["retval"]
        return runs

    def kill(self) -> None:
        """SIGKILL the whole group, main process and pool child: no shutdown, no ack."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown, then whatever is left of the group is killed."""
        if self.process.poll() is None:
            self.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def tail(self, lines: int = 15) -> str:
        """The end of its log."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_worker(scenario: Scenario, folder: Path, name: str, env: dict[str, str]) -> Worker:
    """Start one worker on the scenario's database, broker and queue."""
    log, events = folder / f"worker-{name}.log", folder / f"worker-{name}.events"
    environment = {**os.environ, **scenario.env(), **env, "COURIER_FAULT_EVENTS": str(events)}
    command = [sys.executable, "-m", "tests.faults.hooked_worker", "worker"]
    command += ["--pool=prefork", "--concurrency=1", "-Q", scenario.queue, "-n", f"{name}@%h"]
    command += ["--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=services.ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(name, process, log, events)


@contextmanager
def workers(
    scenario: Scenario, folder: Path, names: Sequence[str], env: dict[str, str] | None = None
) -> Iterator[list[Worker]]:
    """Workers started together and ready; stopped (or reaped, if killed) afterwards."""
    started: list[Worker] = []
    try:
        for name in names:
            started.append(start_worker(scenario, folder, name, env or {}))
        for worker in started:
            worker.wait_ready()
        yield started
    finally:
        for worker in started:
            worker.stop()


def all_runs(workers: Sequence[Worker]) -> list[Run]:
    """Every run of every worker, in order of start."""
    return sorted((run for w in workers for run in w.runs()), key=lambda run: run.started_at)


def wait_running(workers: Sequence[Worker], task: str, timeout_s: float) -> tuple[Worker, Run]:
    """The first worker seen running `task`, and that run."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for worker in workers:
            running = [r for r in worker.runs() if r.task == task and r.ended_at is None]
            if running:
                return worker, running[0]
        time.sleep(0.05)
    tails = "\n\n".join(w.tail() for w in workers)
    raise AssertionError(f"no worker ran {task} within {timeout_s} s:\n{tails}")


def effective_runs(runs: Sequence[Run], task: str) -> dict[int, int]:
    """For each message of `task` that ran, how many of its runs had an effect (returned True)."""
    counts: dict[int, int] = {}
    for run in runs:
        if run.task == task:
            counts[run.message_id] = counts.get(run.message_id, 0) + (run.retval is True)
    return counts


@dataclass(frozen=True, slots=True)
class Stage:
    """A broker, workers on it, and this process relaying to it (after commits, and as beat)."""

    scenario: Scenario
    broker: Broker
    workers: list[Worker]


@contextmanager
def stage(
    factory: sessionmaker[Session],
    folder: Path,
    timeline: Timeline,
    *,
    kind: str = "redis",
    names: Sequence[str] = ("a", "b"),
    env: dict[str, str] | None = None,
) -> Iterator[Stage]:
    """Workers on a broker of that kind, a queue of their own and the factory's database; the
    outbox of this process relays to them, every second meanwhile (what beat does)."""
    queue = unique_queue()
    with broker(kind, folder, queue) as reached:
        scenario = Scenario(database_url(factory), reached.url, queue)
        with (
            workers(scenario, folder, names, env) as pool,
            sending_to(scenario),
            beat(factory),
        ):
            timeline.note(f"ready, worker {', '.join(names)}: {reached.url}, queue {queue}")
            yield Stage(scenario, reached, pool)
