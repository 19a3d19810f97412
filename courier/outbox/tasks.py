"""Periodic relay of the outbox, so nothing waits forever after a broker outage."""

from celery import shared_task

from courier import runtime
from courier.outbox.service import relay_pending


@shared_task(name="outbox.relay")
def relay() -> dict[str, int]:
    """Send what earlier relays could not (run by beat every few seconds)."""
    result = relay_pending(runtime.session_factory())
    return {"sent": result.sent, "failed": result.failed}
