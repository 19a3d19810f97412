"""`celery worker` for the fault suite: each task's start and end written to a file, and
receipts drawn slowly when asked, so that a kill lands while one is being rendered.

Run as `python -m tests.faults.hooked_worker worker -Q …`; `COURIER_FAULT_EVENTS` names the
file, `COURIER_FAULT_RENDER_DELAY_S` the pause after each receipt is drawn (before it is stored).
"""

import functools
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from celery import Task
from celery.signals import task_postrun, task_prerun

from courier.proofs import receipts
from courier.worker import celery_app


def _write(**event: Any) -> None:
    with open(os.environ["COURIER_FAULT_EVENTS"], "a", encoding="utf-8") as out:
        out.write(json.dumps({"t": time.time(), "pid": os.getpid(), **event}, default=str) + "\n")


def _started(task_id: str, task: Task, kwargs: dict[str, Any], **_: Any) -> None:
    _write(event="start", task=task.name, id=task_id, kwargs=kwargs)


def _ended(task_id: str, task: Task, retval: Any, state: str, **_: Any) -> None:
    _write(event="end", task=task.name, id=task_id, retval=retval, state=state)


def _slowly(render: Callable[..., Any], delay_s: float) -> Callable[..., Any]:
    @functools.wraps(render)
    def slow(*args: Any, **kwargs: Any) -> Any:
        drawn = render(*args, **kwargs)
        time.sleep(delay_s)
        return drawn

    return slow


def main() -> None:
    """Hook the task signals (pool children inherit them), then run Celery's command line."""
    task_prerun.connect(_started, weak=False)
    task_postrun.connect(_ended, weak=False)
    delay_s = float(os.environ.get("COURIER_FAULT_RENDER_DELAY_S", "0"))
    if delay_s:
        receipts.render = _slowly(receipts.render, delay_s)
    celery_app.worker_main(sys.argv[1:])


if __name__ == "__main__":
    main()
