"""Enqueue tasks inside the caller's transaction; relay them to Celery after it commits."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
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
    if not take_enqueued_flag(session):
        return None
    return relay_after_commit(factory)


def take_enqueued_flag(session: Session) -> bool:
    """Whether the session's transaction enqueued a task (asked once: the flag is cleared)."""
    return bool(session.info.pop(_PENDING_FLAG, False))


def relay_after_commit(factory: sessionmaker[Session]) -> RelayResult:
    """The relay that follows a commit: fresh messages, and those not yet failed too often."""
    return relay_pending(factory, below_attempts=AFTER_COMMIT_ATTEMPTS)


# A message that failed this often is left to the periodic relay (beat, or `courier outbox
# relay`): a task that keeps failing must not slow down every request that commits.
AFTER_COMMIT_ATTEMPTS = 3


def relay_pending(
    factory: sessionmaker[Session], *, limit: int = 200, below_attempts: int | None = None
) -> RelayResult:
    """Send unsent messages in order, at least once; a failed send stays for the next pass.

    Messages are read `limit` at a time until none is left, so a batch of bookings does not
    leave a backlog behind (the embedded mode has no beat to relay it later). A failed message
    is skipped in this call; an unreachable broker stops it.

    No transaction is open while a message is dispatched: an in-process task writes to the
    same database, and a broker call must not hold row locks.
    """
    sent = failed = 0
    after = 0
    while True:
        with factory() as session:
            query = (
                select(OutboxMessage.id, OutboxMessage.task_name, OutboxMessage.payload)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.id > after)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
            if below_attempts is not None:
                query = query.where(OutboxMessage.attempts < below_attempts)
            pending = [(row[0], row[1], row[2]) for row in session.execute(query)]
        result = _send(factory, pending)
        sent += result.sent
        failed += result.failed
        if len(pending) < limit or result.stopped:
            return RelayResult(sent=sent, failed=failed)
        after = pending[-1][0]


@dataclass(frozen=True, slots=True)
class _Pass:
    sent: int
    failed: int
    stopped: bool


def _send(factory: sessionmaker[Session], pending: Sequence[tuple[int, str, Any]]) -> _Pass:
    from courier.worker import TaskFailed, dispatch

    sent = failed = 0
    for message_id, task_name, payload in pending:
        try:
            dispatch(task_name, payload, message_id=message_id)
        except TaskFailed as exc:
            _record(factory, message_id, error=exc)
            failed += 1
            continue
        except Exception as exc:  # the broker is unreachable: stop, the rest waits for later
            _record(factory, message_id, error=exc)
            return _Pass(sent, failed + 1, stopped=True)
        _record(factory, message_id, error=None)
        sent += 1
    return _Pass(sent, failed, stopped=False)


def _record(factory: sessionmaker[Session], message_id: int, *, error: Exception | None) -> None:
    values: dict[str, Any] = {"attempts": OutboxMessage.attempts + 1}
    if error is None:
        values.update(sent_at=utcnow(), last_error=None)
    else:
        values["last_error"] = f"{type(error).__name__}: {error}"[:2000]
        log.warning("outbox message %s not sent: %s", message_id, values["last_error"])
    with factory() as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
            .values(**values)
        )


def pending_count(session: Session) -> int:
    """How many messages wait to be sent."""
    return len(
        session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))).all()
    )
