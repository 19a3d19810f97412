"""Failed guesses counted in the database (so across API processes), per key, with a lock that
doubles with each failure past a few free ones.

A guarded attempt runs in the request's transaction. Attempts at one subject (an account, a
tracking code) wait for each other: on PostgreSQL a transaction-scoped advisory lock on the key
(nothing written), on SQLite the writing transaction itself (a POST begins IMMEDIATE). So a burst
of parallel guesses cannot all slip in before the first failure is counted. While the subject or
the client is locked, `LockedOut` is raised before anything is compared: a right password during
the lock is refused like a wrong one. A failure is counted against both keys; the caller must
commit it (answer the refusal rather than raise it, or the request's rollback forgets it). A
success writes nothing unless the subject had failures, which it forgets; the client's are
forgotten once it stays quiet.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any, TypeVar

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from courier.db import utcnow
from courier.errors import LockedOut
from courier.lockout.models import Lockout

# operators alert on this logger's WARNINGs (README "Guessing passwords and phone digits")
log = logging.getLogger("courier.lockout")
T = TypeVar("T")
_KEY_MAX = 120  # longer values (a username nobody has) are counted under their digest
_PURGE_BATCH = 100
# rows are read and written as plain statements here, never as loaded objects to keep in step
_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class Policy:
    """How many failures are free, the first lock (doubled by each further failure, up to a
    ceiling), and how long after its last failure (or lock) a key starts again from zero."""

    free: int
    forget_s: int
    first_lock_s: int = 30
    max_lock_s: int = 3600

    def lock_s(self, failures: int) -> int:
        """How long a key is locked after this many failures (0: not at all)."""
        if failures < self.free:
            return 0
        doubled: int = self.first_lock_s * 2 ** min(failures - self.free, 20)
        return min(self.max_lock_s, doubled)


# an account or a tracking code: 5 failures, then 30 s, 1, 2, 4 … minutes, at most an hour each
SUBJECT = Policy(free=5, forget_s=24 * 3600)
# a client address may stand for many people (an office, a mobile operator's NAT)
CLIENT = Policy(free=20, forget_s=3600)


@dataclass(frozen=True)
class Guard:
    """What one attempt is counted against: the subject guessed at and the client guessing,
    within a scope (`sign-in`, `track`), and the refusal's message (a catalogue id with
    `%(wait)s`)."""

    scope: str
    subject: str
    client: str
    message: str

    def keys(self) -> tuple[tuple[str, Policy], tuple[str, Policy]]:
        """The subject's key and policy, then the client's."""
        return (
            (_key(self.scope, self.subject), SUBJECT),
            (_key(self.scope, "client:" + self.client), CLIENT),
        )


def _key(scope: str, value: str) -> str:
    if len(value) > _KEY_MAX:
        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return f"{scope}:{value}"


def guarded(
    session: Session, guard: Guard, attempt: Callable[[], T], *, fails_on: type[Exception]
) -> T:
    """`attempt()` unless the guard's keys are locked (`LockedOut`); its `fails_on` counted
    against both keys and raised again (commit it), its success forgetting the subject's."""
    now = utcnow()
    (subject, _), _ = keys = guard.keys()
    counted = _check(session, keys, guard.message, now)
    try:
        result = attempt()
    except fails_on:
        for key, policy in keys:
            _failed(session, key, policy, now)
        _purge(session, now)
        raise
    if counted:
        session.execute(delete(Lockout).where(Lockout.key == subject), execution_options=_NO_SYNC)
    return result


def _check(
    session: Session, keys: tuple[tuple[str, Policy], ...], message: str, now: datetime
) -> bool:
    """Wait for other attempts at the subject, refuse while a key is locked; whether the
    subject has failures counted."""
    (subject, _), (client, _) = keys
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_lock_id(subject))))
    found = select(Lockout.key, Lockout.locked_until).where(Lockout.key.in_((subject, client)))
    rows: dict[str, datetime | None] = dict(session.execute(found).all())
    locked = [end for end in rows.values() if end is not None and end > now]
    if locked:
        raise LockedOut(message, retry_after_s=ceil((max(locked) - now).total_seconds()))
    return subject in rows


def _lock_id(key: str) -> int:
    """The key as PostgreSQL's advisory locks name one: a signed 64-bit number."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def _failed(session: Session, key: str, policy: Policy, now: datetime) -> None:
    """One more failure (the first again once the key has been quiet long enough); from the
    free ones on, the key locks, and the lock is logged."""
    table = Lockout.__table__
    # a lock always ends after the failure that set it, so it is the key's last event if any
    quiet_since = func.coalesce(table.c.locked_until, table.c.last_failure_at)
    forgotten = quiet_since < now - timedelta(seconds=policy.forget_s)
    insert = _dialect(session).insert(Lockout).values(key=key, failures=1, last_failure_at=now)
    upsert = insert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "failures": case((forgotten, 1), else_=table.c.failures + 1),
            "locked_until": case((forgotten, None), else_=table.c.locked_until),
            "last_failure_at": now,
        },
    )
    failures = session.execute(upsert.returning(table.c.failures)).scalar_one()
    lock_s = policy.lock_s(failures)
    if lock_s:
        until = now + timedelta(seconds=lock_s)
        locking = update(Lockout).where(Lockout.key == key).values(locked_until=until)
        session.execute(locking, execution_options=_NO_SYNC)
        log.warning("lockout: %s locked for %d s after %d failures", key, lock_s, failures)


def _purge(session: Session, now: datetime) -> None:
    """Delete a few keys quiet for longer than any policy remembers (skipping rows another
    request holds, so two purges never wait for each other)."""
    # a lock ends at most max_lock_s after its failure: older failures are quiet for sure
    longest = max(p.forget_s + p.max_lock_s for p in (SUBJECT, CLIENT))
    stale = (
        select(Lockout.key)
        .where(Lockout.last_failure_at < now - timedelta(seconds=longest))
        .limit(_PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(Lockout).where(Lockout.key.in_(stale)), execution_options=_NO_SYNC)


def _dialect(session: Session) -> Any:
    """The dialect module whose `insert` has ON CONFLICT (PostgreSQL's, else SQLite's)."""
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
