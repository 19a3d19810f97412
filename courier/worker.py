"""The Celery application: in-process when no broker is configured, workers and beat otherwise."""

from typing import Any

from celery import Celery
from celery.schedules import crontab

from courier.settings import Settings, get_settings

TASK_MODULES = [
    "courier.notifications.tasks",
    "courier.outbox.tasks",
    "courier.proofs.tasks",
    "courier.planning.tasks",
]


class TaskFailed(RuntimeError):
    """A task run in-process raised; the outbox keeps the message for another pass."""


def make_celery(settings: Settings) -> Celery:
    """A Celery app configured for reliability: late acks, one message at a time, bounded retries."""
    app = Celery("courier", broker=settings.broker_url or "memory://", include=TASK_MODULES)
    app.conf.update(
        task_always_eager=settings.tasks_in_process,
        task_eager_propagates=False,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="courier",
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
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
            "nightly-plan": {
                "task": "planning.nightly",
                "schedule": crontab(
                    hour=int(settings.plan_nightly_at[:2]), minute=int(settings.plan_nightly_at[3:])
                ),
            },
            "proof-retention": {
                "task": "proofs.apply_retention",
                "schedule": crontab(hour=2, minute=30),
            },
        },
    )
    return app


celery_app = make_celery(get_settings())
celery_app.loader.import_default_modules()
_sender: Celery = celery_app


def use_sender(app: Celery | None) -> None:
    """Send outbox messages through another app (tests point it at a dead or a real broker)."""
    global _sender
    _sender = app or celery_app


def dispatch(task_name: str, payload: dict[str, Any], *, message_id: int) -> None:
    """Hand one outbox message to Celery (or run it here when tasks are in-process)."""
    _sender.loader.import_default_modules()
    task = _sender.tasks[task_name]
    result = task.apply_async(kwargs=payload, task_id=f"outbox-{message_id}")
    if _sender.conf.task_always_eager and result.failed():
        raise TaskFailed(f"{task_name} failed in-process: {result.result!r}")
