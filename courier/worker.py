"""The Celery application: in-process when no broker is configured, workers and beat otherwise."""

from datetime import time
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import task_failure, task_prerun, task_success
from kombu import Queue  # type: ignore[attr-defined]

from courier.embedded import Daily
from courier.settings import Settings, get_settings

TASK_MODULES = [
    "courier.notifications.tasks",
    "courier.outbox.tasks",
    "courier.proofs.tasks",
    "courier.planning.tasks",
    "courier.webhooks.tasks",
    "courier.privacy.tasks",
]


class TaskFailed(RuntimeError):
    """A task run in-process raised; the outbox keeps the message for another pass."""


def task_leases(settings: Settings) -> dict[str, int]:
    """Seconds each task may run before the outbox sends it again (its worker is presumed dead)."""
    solve = 2 * settings.plan_part_seconds + settings.task_lease_s
    return {
        "planning.solve_part": solve,
        "planning.build": max(settings.task_lease_s, 300),
        "proofs.apply_retention": 3600,
        "privacy.purge": 3600,
    }


def daily_tasks(settings: Settings) -> dict[str, tuple[str, str]]:
    """Beat's daily tasks: entry -> (task, local HH:MM)."""
    return {
        "nightly-plan": ("planning.nightly", settings.plan_nightly_at),
        "proof-retention": ("proofs.apply_retention", "02:30"),
        "personal-data-purge": ("privacy.purge", settings.personal_data_purge_at),
    }


# what the embedded worker runs daily in place of beat: the retention duties (the nightly plan
# is left to the dispatcher, who builds it from the page in this mode)
EMBEDDED_DAILY = ("proof-retention", "personal-data-purge")


def embedded_daily(settings: Settings) -> list[Daily]:
    """The embedded worker's daily tasks, at beat's times."""
    entries = daily_tasks(settings)
    return [
        Daily(task, time.fromisoformat(at), settings.zone)
        for entry, (task, at) in entries.items()
        if entry in EMBEDDED_DAILY
    ]


def make_celery(settings: Settings) -> Celery:
    """A Celery app configured for reliability: late acks, one message at a time, bounded retries.

    A message is acknowledged after its task ends and requeued if the worker process is lost;
    the broker redelivers an unacknowledged one only after the longest task could have ended
    (Redis visibility timeout; RabbitMQ's consumer timeout, 30 min by default, is longer), and
    the outbox sends it again sooner when its lease runs out.
    """
    leases = task_leases(settings)
    longest = max([settings.task_lease_s, *leases.values()])
    app = Celery("courier", broker=settings.broker_url or "memory://", include=TASK_MODULES)
    app.conf.update(
        task_always_eager=settings.tasks_in_process,
        task_eager_propagates=False,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.task_queue,
        task_queues=[Queue(settings.task_queue, routing_key=settings.task_queue)],  # type: ignore[no-untyped-call]
        broker_transport_options={"visibility_timeout": longest + 300},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        timezone=settings.timezone,
        beat_schedule={
            "outbox-relay": {"task": "outbox.relay", "schedule": settings.outbox_relay_seconds},
            **{
                entry: {"task": task, "schedule": crontab(hour=int(at[:2]), minute=int(at[3:]))}
                for entry, (task, at) in daily_tasks(settings).items()
            },
        },
    )
    app.conf.courier_leases = leases
    app.conf.courier_default_lease = settings.task_lease_s
    app.conf.courier_queued_lease = settings.task_queued_lease_s
    return app


celery_app = make_celery(get_settings())
celery_app.loader.import_default_modules()
_sender: Celery = celery_app


def use_sender(app: Celery | None) -> None:
    """Send outbox messages through another app (tests point it at a dead or a real broker)."""
    global _sender
    _sender = app or celery_app


def lease_s(task_name: str) -> int:
    """The lease of a task sent through the current sender."""
    leases: dict[str, int] = _sender.conf.courier_leases
    return leases.get(task_name, int(_sender.conf.courier_default_lease))


def claim_lease_s(task_name: str) -> int:
    """The lease a send starts: the run's when it runs here at once; through a broker, long
    enough to wait in the queue too (the worker renews it to the run's when it starts)."""
    if runs_in_process():
        return lease_s(task_name)
    return max(lease_s(task_name), int(_sender.conf.courier_queued_lease))


def runs_in_process() -> bool:
    """True when a dispatched task has already run here (no broker)."""
    return bool(_sender.conf.task_always_eager)


def dispatch(task_name: str, payload: dict[str, Any], *, message_id: int) -> None:
    """Hand one outbox message to Celery (or run it here when tasks are in-process)."""
    _sender.loader.import_default_modules()
    task = _sender.tasks[task_name]
    result = task.apply_async(kwargs=payload, task_id=f"{OUTBOX_TASK_PREFIX}{message_id}")
    if _sender.conf.task_always_eager and result.failed():
        raise TaskFailed(f"{task_name} failed in-process: {result.result!r}")


OUTBOX_TASK_PREFIX = "outbox-"


def _outbox_id(task: Task | None) -> int | None:
    """The outbox message a worker's task came from (in-process runs are settled by the relay)."""
    request = getattr(task, "request", None)
    task_id = getattr(request, "id", None) or ""
    if getattr(request, "is_eager", False) or not task_id.startswith(OUTBOX_TASK_PREFIX):
        return None
    suffix = task_id.removeprefix(OUTBOX_TASK_PREFIX)
    return int(suffix) if suffix.isdigit() else None


def _renew_lease(sender: Task | None = None, **_: Any) -> None:
    """A worker starts a task: its message's lease now counts from here, the run's length."""
    message_id = _outbox_id(sender)
    if message_id is not None and sender is not None:
        from courier import runtime
        from courier.outbox.service import renew_lease

        renew_lease(runtime.session_factory(), message_id, seconds=lease_s(sender.name))


def _settle_success(sender: Task | None = None, **_: Any) -> None:
    """A worker's task ended well, its effect committed: its message is done."""
    message_id = _outbox_id(sender)
    if message_id is not None:
        from courier import runtime
        from courier.outbox.service import mark_done

        mark_done(runtime.session_factory(), message_id)


def _settle_failure(
    sender: Task | None = None, exception: BaseException | None = None, **_: Any
) -> None:
    """A worker's task raised: the outbox tries it again after a growing wait."""
    message_id = _outbox_id(sender)
    if message_id is not None:
        from courier import runtime
        from courier.outbox.service import mark_failed

        mark_failed(
            runtime.session_factory(), message_id, error=exception or RuntimeError("task failed")
        )


task_prerun.connect(_renew_lease, weak=False)
task_success.connect(_settle_success, weak=False)
task_failure.connect(_settle_failure, weak=False)
