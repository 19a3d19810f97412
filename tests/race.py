"""Calls released at the same instant on threads of their own, to race against a database."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def race(*calls: Callable[[], T], timeout_s: float = 60) -> list[T]:
    """Run the calls at once (a barrier lets them go together); their results, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait(timeout=timeout_s)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=timeout_s) for future in futures]
