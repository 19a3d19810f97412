"""Background sending of citizen notifications."""

from celery import shared_task
from sqlalchemy.exc import IntegrityError

from courier import runtime
from courier.notifications.service import notify_event


@shared_task(name="notifications.send_event", acks_late=True)
def send_event(event_id: int) -> bool:
    """Send the SMS for a tracking event; safe to run twice (the second run finds it sent)."""
    try:
        with runtime.unit_of_work() as session:
            return notify_event(session, event_id=event_id) is not None
    except IntegrityError:  # a concurrent run wrote it first
        return False
