"""Enqueue tasks inside the caller's transaction; relay them after it commits, until done.

At least once, exactly once in effect: a message is claimed before each send (its lease
starts), is relayed again when its lease runs out without the task saying it is done (a worker
died), and is retried later, with backoff, when the send or the task fails. Tasks are safe to
run twice, so a second delivery changes nothing.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from courier.db import utcnow
from courier.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
_ENQUEUED = "outbox_enqueued"
RETRY_FIRST_S = 15
RETRY_MAX_S = 3600


def enqueue(session: Session, task_name: str, **payload: Any) -> OutboxMessage:
    """Write a task to the outbox; it is sent only if this transaction commits."""
    message = OutboxMessage(task_name=task_name, payload=payload, available_at=utcnow())
    session.add(message)
    session.info.setdefault(_ENQUEUED, []).append(message)
    return message


def take_enqueued(session: Session) -> list[int]:
    """Ids of the messages this session's transaction wrote (asked once: the list is cleared)."""
    messages: list[OutboxMessage] = session.info.pop(_ENQUEUED, [])
    return [m.id for m in messages if m.id is not None]


@dataclass(frozen=True, slots=True)
class RelayResult:
    """How many outbox messages one relay pass sent and how many it left for later."""

    sent: int
    failed: int


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    task_name: str
    payload: dict[str, Any]
    attempts: int


def relay_if_enqueued(session: Session, factory: sessionmaker[Session]) -> RelayResult | None:
    """After a commit: hand on the messages this transaction wrote, and only those.

    With the embedded worker running they are left to it (woken now), never run nested in the
    caller's task. Otherwise they are relayed here; an error doing so is logged, not raised:
    the transaction is committed, and the sweep sends what this relay could not.
    """
    from courier import embedded

    ids = take_enqueued(session)
    if not ids or embedded.wake_if_running():
        return None
    try:
        return relay_messages(factory, ids)
    except Exception:
        log.exception("outbox messages %s left to the sweep", ids)
        return None


def relay_messages(factory: sessionmaker[Session], ids: Sequence[int]) -> RelayResult:
    """Relay the given messages if they are still due (a concurrent relay may hold them)."""
    sent = failed = 0
    for batch in _batches(ids):
        result = _send(factory, _claim(factory, ids=batch, limit=len(batch)))
        sent, failed = sent + result.sent, failed + result.failed
        if result.stopped:
            break
    return RelayResult(sent, failed)


def _batches(ids: Sequence[int]) -> list[Sequence[int]]:
    """One claim for all when they go to a broker; one at a time when they run here, so a
    message's lease starts when its own run does (runs take minutes, publishing milliseconds)."""
    from courier.worker import runs_in_process

    return [[i] for i in ids] if runs_in_process() else [ids]


def relay_pending(
    factory: sessionmaker[Session], *, limit: int = 200, until: Callable[[], bool] | None = None
) -> RelayResult:
    """Send every due message: new ones, those whose lease ran out, failures whose wait is over.

    Messages are claimed `limit` at a time (one at a time when they run here) until none is
    due, so a backlog leaves in one call; an unreachable broker stops it (the rest waits for the
    next pass), as does `until` answering True. No transaction is open
    while a message is sent: an in-process task writes to the same database, and a broker
    call must not hold row locks.
    """
    from courier.worker import runs_in_process

    step = 1 if runs_in_process() else limit
    sent = failed = 0
    while True:
        claimed = _claim(factory, ids=None, limit=step)
        result = _send(factory, claimed)
        sent += result.sent
        failed += result.failed
        if len(claimed) < step or result.stopped or (until is not None and until()):
            return RelayResult(sent=sent, failed=failed)


def _claim(factory: sessionmaker[Session], *, ids: Sequence[int] | None, limit: int) -> list[_Claimed]:
    """Take due messages for one send each: their lease starts, so no other relay sends them."""
    from courier.worker import claim_lease_s

    now = utcnow()
    query = (
        select(OutboxMessage.id, OutboxMessage.task_name, OutboxMessage.payload)
        .where(OutboxMessage.done_at.is_(None), OutboxMessage.available_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    with factory() as session, session.begin():
        rows = session.execute(query).all()
        by_task = sorted(rows, key=lambda row: row.task_name)
        for task_name, group in groupby(by_task, key=lambda row: row.task_name):
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([row.id for row in group]))
                .values(
                    attempts=OutboxMessage.attempts + 1,
                    available_at=now + timedelta(seconds=claim_lease_s(task_name)),
                )
            )
        attempts = {
            row.id: row.attempts
            for row in session.execute(
                select(OutboxMessage.id, OutboxMessage.attempts).where(
                    OutboxMessage.id.in_([row.id for row in rows])
                )
            )
        }
    return [_Claimed(row.id, row.task_name, row.payload, attempts[row.id]) for row in rows]


@dataclass(frozen=True, slots=True)
class _Pass:
    sent: int
    failed: int
    stopped: bool


def _send(factory: sessionmaker[Session], claimed: Sequence[_Claimed]) -> _Pass:
    from courier.worker import TaskFailed, dispatch, runs_in_process

    sent: list[int] = []
    failed = 0
    for position, message in enumerate(claimed):
        try:
            dispatch(message.task_name, message.payload, message_id=message.id)
        except TaskFailed as exc:
            mark_failed(factory, message.id, error=exc)
            failed += 1
            continue
        except Exception as exc:  # the broker is unreachable: stop, the rest waits for later
            mark_failed(factory, message.id, error=exc)
            _release(factory, [m.id for m in claimed[position + 1 :]])
            _mark_sent(factory, sent)
            return _Pass(len(sent), failed + 1, stopped=True)
        if runs_in_process():
            mark_done(factory, message.id)
        sent.append(message.id)
    _mark_sent(factory, sent)
    return _Pass(len(sent), failed, stopped=False)


def _mark_sent(factory: sessionmaker[Session], ids: Iterable[int]) -> None:
    ids = list(ids)
    if ids:
        _update(factory, ids, sent_at=utcnow(), last_error=None)


def _release(factory: sessionmaker[Session], ids: list[int]) -> None:
    """Claimed but not sent (the broker went away): due again at once, the attempt not counted."""
    if ids:
        _update(factory, ids, available_at=utcnow(), attempts=OutboxMessage.attempts - 1)


def renew_lease(factory: sessionmaker[Session], message_id: int, *, seconds: int) -> None:
    """A worker starts the task: it is sent again only if it has not ended `seconds` from now."""
    _update(factory, [message_id], available_at=utcnow() + timedelta(seconds=seconds))


def mark_done(factory: sessionmaker[Session], message_id: int) -> None:
    """The task's effect is committed: the message is never sent again."""
    _update(factory, [message_id], done_at=utcnow(), last_error=None)


def mark_failed(factory: sessionmaker[Session], message_id: int, *, error: BaseException) -> None:
    """The send or the task failed: note why, and make it due again after a growing wait."""
    text = f"{type(error).__name__}: {error}"[:2000]
    log.warning("outbox message %s failed: %s", message_id, text)
    with factory() as session, session.begin():
        attempts = session.scalar(
            select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)
        )
        wait = retry_wait_s(attempts or 1)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.done_at.is_(None))
            .values(last_error=text, available_at=utcnow() + timedelta(seconds=wait))
        )


def retry_wait_s(attempts: int) -> int:
    """Seconds before another try after `attempts` failed ones: 15 s, doubling, at most 1 h."""
    return int(min(RETRY_FIRST_S * 2 ** max(attempts - 1, 0), RETRY_MAX_S))


def _update(factory: sessionmaker[Session], ids: list[int], **values: Any) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.done_at.is_(None))
            .values(**values)
        )


def pending_count(session: Session) -> int:
    """How many messages are not done yet (waiting, sent and running, or failed)."""
    return (
        session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.done_at.is_(None))
        )
        or 0
    )


def due_count(session: Session) -> int:
    """How many messages a relay would send now."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.done_at.is_(None), OutboxMessage.available_at <= utcnow())
        )
        or 0
    )
