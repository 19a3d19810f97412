"""Background sending of webhook deliveries."""

from celery import shared_task

from courier import runtime
from courier.settings import get_settings
from courier.webhooks.sending import deliver as deliver_once


@shared_task(name="webhooks.deliver", acks_late=True)
def deliver(delivery_id: int) -> bool:
    """Try one delivery; safe to run twice (a delivery not due, or settled, is left alone)."""
    return deliver_once(runtime.session_factory(), delivery_id, settings=get_settings())
