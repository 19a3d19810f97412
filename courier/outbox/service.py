"""Enqueue tasks inside the caller's transaction; relay them to Celery after it commits."""

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from courier.db import utcnow
from courier.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
_PENDING_FLAG = "outbox_enqueued"


def enqueue(session: Session, task_name: str, **payload: Any) -> OutboxMessage:
    """Write a task to the outbox; it is sent only if this transaction commits."""
    message = OutboxMessage(task_name=task_name, payload=payload)
    session.add(message)
    session.info[_PENDING_FLAG] = True
    return message


@dataclass(frozen=True, slots=True)
class RelayResult:
    """How many outbox messages one relay pass sent and how many it left for later."""

    sent: int
    failed: int


def relay_if_enqueued(session: Session, factory: sessionmaker[Session]) -> RelayResult | None:
    """After a commit: relay at once when the transaction enqueued something."""
    if not session.info.pop(_PENDING_FLAG, False):
        return None
    return relay_pending(factory)


def relay_pending(factory: sessionmaker[Session], *, limit: int = 200) -> RelayResult:
    """Send unsent messages in order; a message whose send fails stays for the next pass."""
    from courier.worker import TaskFailed, dispatch

    sent = failed = 0
    with factory() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        for message in session.scalars(query).all():
            message.attempts += 1
            try:
                dispatch(message.task_name, message.payload, message_id=message.id)
            except TaskFailed as exc:
                _note_failure(message, exc)
                failed += 1
                continue
            except Exception as exc:  # the broker is unreachable: stop, try the rest later
                _note_failure(message, exc)
                failed += 1
                break
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        session.commit()
    return RelayResult(sent=sent, failed=failed)


def _note_failure(message: OutboxMessage, exc: Exception) -> None:
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("outbox message %s not sent: %s", message.id, message.last_error)


def pending_count(session: Session) -> int:
    """How many messages wait to be sent."""
    return len(
        session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))).all()
    )
