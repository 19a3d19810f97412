"""The embedded mode's worker: with no broker, the API process runs the outbox itself.

One thread takes due outbox messages, runs their tasks with their own short transactions, and
is woken after each commit that enqueued something; it also sweeps every few seconds, so a task
whose run was cut short (the process stopped) is run again. OR-Tools holds the interpreter lock
for long stretches, so plan parts are solved in a child process: requests keep being answered.
"""

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

_solver: ProcessPoolExecutor | None = None
_solver_lock = threading.Lock()


def run_solver(function: Callable[..., T], *args: Any) -> T:
    """Run a CPU-bound function here, or in the solver process when the embedded worker runs."""
    with _solver_lock:
        executor = _solver
    if executor is None:
        return function(*args)
    try:
        return executor.submit(function, *args).result()
    except BrokenProcessPool:  # the child died (killed, out of memory): a fresh one next time
        _restart_solver()
        raise


def _start_solver() -> None:
    global _solver
    with _solver_lock:
        if _solver is None:
            _solver = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )


def _restart_solver() -> None:
    _stop_solver()
    _start_solver()


def _stop_solver() -> None:
    """Stop the child at once: a solve cut short is run again from the outbox."""
    global _solver
    with _solver_lock:
        executor, _solver = _solver, None
    if executor is None:
        return
    for process in list(getattr(executor, "_processes", {}).values()):
        process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)


class EmbeddedWorker:
    """A thread running due outbox tasks in this process, woken by commits, sweeping meanwhile."""

    def __init__(self, factory: sessionmaker[Session], *, sweep_s: float = 5.0) -> None:
        self.factory = factory
        self.sweep_s = sweep_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="courier-tasks", daemon=True)

    def start(self) -> None:
        """Start the solver process and the thread."""
        _start_solver()
        self._thread.start()

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next sweep."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the task in hand (a solve is cut short; the outbox runs it again later)."""
        self._stop.set()
        self._wake.set()
        _stop_solver()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        from courier.outbox.service import relay_pending

        while not self._stop.is_set():
            self._wake.wait(self.sweep_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                relay_pending(self.factory, limit=20)
            except Exception:  # the database is away: the next sweep tries again
                log.exception("embedded worker: relay pass failed")
