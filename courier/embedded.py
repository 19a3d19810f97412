"""The embedded mode's worker: with no broker, the API process runs the outbox itself.

One thread takes due outbox messages, runs their tasks with their own short transactions, and
is woken after each commit that enqueued something; it also sweeps every few seconds, so a task
whose run was cut short (the process stopped) is run again. In place of beat it enqueues its
daily tasks (`Daily`: the retention duties) when their local time comes; they are idempotent,
so a run missed while the process was down is made up by the next day's. OR-Tools holds the interpreter lock
for long stretches, so plan parts are solved in a child process: requests keep being answered.
"""

import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

_solver: ProcessPoolExecutor | None = None
_solver_lock = threading.Lock()
_stopping = threading.Event()


class SolverInterrupted(RuntimeError):
    """The solver process went away (the service is stopping, or it was killed): the task is
    not at fault and runs again from the outbox."""


def run_solver(function: Callable[..., T], *args: Any) -> T:
    """Run a CPU-bound function here, or in the solver process when the embedded worker runs."""
    with _solver_lock:
        executor, stopping = _solver, _stopping.is_set()
    if stopping:
        raise SolverInterrupted("the embedded worker is stopping")
    if executor is None:
        return function(*args)
    try:
        future = executor.submit(function, *args)
    except RuntimeError as exc:  # shut down meanwhile: the worker is stopping
        raise SolverInterrupted(f"the solver process stopped: {exc}") from exc
    try:
        return future.result()
    except (BrokenProcessPool, CancelledError) as exc:
        _replace_solver(executor)
        raise SolverInterrupted(f"the solver process stopped: {exc!r}") from exc


def _start_solver() -> None:
    global _solver
    _stopping.clear()
    with _solver_lock:
        if _solver is None:
            _solver = _new_executor()


def _new_executor() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _replace_solver(broken: ProcessPoolExecutor) -> None:
    """A fresh child for the next solve, unless the worker is stopping (no solver then)."""
    global _solver
    with _solver_lock:
        if _solver is not broken:
            return
        _solver = _new_executor()
    broken.shutdown(wait=False, cancel_futures=True)


def _stop_solver() -> None:
    """Stop the child at once: a solve cut short is run again from the outbox."""
    global _solver
    _stopping.set()
    with _solver_lock:
        executor, _solver = _solver, None
    if executor is None:
        return
    for process in list(getattr(executor, "_processes", {}).values()):
        process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)  # the children are gone: quick


_running: "EmbeddedWorker | None" = None


@dataclass(frozen=True, slots=True)
class Daily:
    """A task enqueued once a day at a local time (what beat's crontab entries do)."""

    task: str
    at: time
    zone: ZoneInfo

    def next_after(self, now: datetime) -> datetime:
        """The first moment of this task strictly after `now`."""
        local = now.astimezone(self.zone)
        today = datetime.combine(local.date(), self.at, self.zone)
        if today > now:
            return today
        return datetime.combine(local.date() + timedelta(days=1), self.at, self.zone)


def wake_if_running() -> bool:
    """Wake this process's embedded worker; False when none runs (tasks are relayed then)."""
    worker = _running
    if worker is None:
        return False
    worker.wake()
    return True


class EmbeddedWorker:
    """A thread running due outbox tasks in this process, woken by commits, sweeping meanwhile."""

    def __init__(
        self, factory: sessionmaker[Session], *, sweep_s: float = 5.0, daily: Sequence[Daily] = ()
    ) -> None:
        self.factory = factory
        self.sweep_s = sweep_s
        self.daily = tuple(daily)
        self._next: dict[str, datetime] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="courier-tasks", daemon=True)

    def start(self) -> None:
        """Start the solver process and the thread."""
        global _running
        _start_solver()
        self._thread.start()
        _running = self

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next sweep."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the task in hand (a solve is cut short; the outbox runs it again later)."""
        global _running
        if _running is self:
            _running = None
        self._stop.set()
        self._wake.set()
        _stop_solver()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def enqueue_due(self, now: datetime) -> list[str]:
        """Enqueue the daily tasks whose time came since the last look (none at the first)."""
        from courier.outbox.service import enqueue

        due = []
        for daily in self.daily:
            next_at = self._next.setdefault(daily.task, daily.next_after(now))
            if next_at <= now:
                due.append(daily.task)
                self._next[daily.task] = daily.next_after(now)
        if due:
            with self.factory() as session, session.begin():
                for task in due:
                    enqueue(session, task)
        return due

    def _run(self) -> None:
        from courier.db import utcnow
        from courier.outbox.service import relay_pending

        while not self._stop.is_set():
            self._wake.wait(self.sweep_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.enqueue_due(utcnow())
                relay_pending(self.factory, until=self._stop.is_set)
            except Exception:  # the database is away: the next sweep tries again
                log.exception("embedded worker: relay pass failed")
