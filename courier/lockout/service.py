"""Failed guesses counted in the database (so across API processes), per key, with a lock.

Three keys count each failure (README "Guessing passwords and phone digits"):
- the subject (an account, a tracking code) as guessed from one client: a few free failures,
  then a lock that doubles up to an hour. It refuses that client only, right secret or wrong, so
  a stranger's guesses do not lock the owner out;
- the subject from everyone: many failures in a day (more than one client can make alone) lock
  it for everyone, an hour per further failure;
- the client (an IPv4 address, an IPv6 /64: maybe a NAT in front of thousands of people): many
  failures in ten minutes refuse its WRONG guesses for a few minutes; a right secret still passes.
The two windowed counts are sliding windows estimated from the current and the previous window's
rows (their keys end with the window's number).

A guarded attempt runs in the request's transaction. Attempts at one subject wait for each other:
on PostgreSQL a transaction-scoped advisory lock on the subject (nothing written), on SQLite the
writing transaction itself (it begins IMMEDIATE). So a burst of parallel guesses cannot all slip
in before the first failure is counted. A failure is counted against the three keys; the caller
must commit it: answer the failure rather than raise it, and a `LockedOut` with `counted` set is
committed by the request (`api.deps`). A success writes nothing unless the subject had failures,
which it forgets.
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
class Backoff:
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


@dataclass(frozen=True)
class Rate:
    """At most `limit` failures in any `window_s`; past it, a fixed lock of `lock_s`."""

    limit: int
    window_s: int
    lock_s: int


# an account or a tracking code as guessed from one client: 5 failures, then 30 s, 1, 2, 4 …
# minutes, at most an hour each
PAIR = Backoff(free=5, forget_s=24 * 3600)
# the subject for everyone: more failures in a day than one client can make (about 35)
SUBJECT = Rate(limit=50, window_s=24 * 3600, lock_s=3600)
# a client address may stand for many people (an office, a mobile operator's NAT)
CLIENT = Rate(limit=20, window_s=600, lock_s=300)


@dataclass(frozen=True)
class Guard:
    """What one attempt is counted against: the subject guessed at and the client guessing,
    within a scope (`sign-in`, `track`), and the refusal's message (a catalogue id with
    `%(wait)s`)."""

    scope: str
    subject: str
    client: str
    message: str


@dataclass(frozen=True)
class _Keys:
    """A guard's rows: the pair's, then each windowed count's current and previous window."""

    pair: str
    subject: tuple[str, str]
    client: tuple[str, str]
    elapsed: tuple[float, float]  # how far into its current window each windowed count is


def _keys(guard: Guard, now: datetime) -> _Keys:
    def windows(value: str, rate: Rate) -> tuple[tuple[str, str], float]:
        number, into = divmod(now.timestamp(), rate.window_s)
        base = _key(guard.scope, value)
        return (f"{base}#{int(number)}", f"{base}#{int(number) - 1}"), into / rate.window_s

    subject, subject_into = windows(guard.subject, SUBJECT)
    client, client_into = windows("client:" + guard.client, CLIENT)
    pair = _key(guard.scope, f"{guard.subject}@client:{guard.client}")
    return _Keys(pair, subject, client, (subject_into, client_into))


def _key(scope: str, value: str) -> str:
    if len(value) > _KEY_MAX:
        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return f"{scope}:{value}"


def guarded(
    session: Session, guard: Guard, attempt: Callable[[], T], *, fails_on: type[Exception]
) -> T:
    """`attempt()` unless the subject is locked for this client or for everyone (`LockedOut`);
    its `fails_on` counted and raised again (commit it), or `LockedOut` with `counted` set when
    the client is locked; its success forgetting the subject's failures."""
    now = utcnow()
    keys = _keys(guard, now)
    rows = _check(session, guard, keys, now)
    try:
        result = attempt()
    except fails_on:
        client_lock = _locked(rows, keys.client, now)
        _failed_backoff(session, keys.pair, now)
        carried = _carried(rows, keys.subject, keys.elapsed[0])
        _failed_rate(session, keys.subject[0], SUBJECT, carried, now, locked=False)
        carried = _carried(rows, keys.client, keys.elapsed[1])
        _failed_rate(session, keys.client[0], CLIENT, carried, now, locked=bool(client_lock))
        _purge(session, now)
        if client_lock:
            raise LockedOut(guard.message, retry_after_s=client_lock, counted=True) from None
        raise
    if keys.pair in rows or keys.subject[0] in rows or keys.subject[1] in rows:
        forgotten = Lockout.key.in_((keys.pair, *keys.subject))
        session.execute(delete(Lockout).where(forgotten), execution_options=_NO_SYNC)
    return result


_Row = tuple[int, datetime | None]


def _check(session: Session, guard: Guard, keys: _Keys, now: datetime) -> dict[str, _Row]:
    """Wait for other attempts at the subject, refuse while it is locked for this client or for
    everyone; the guard's rows (failures, locked until)."""
    if session.get_bind().dialect.name == "postgresql":
        subject = _key(guard.scope, guard.subject)
        session.execute(select(func.pg_advisory_xact_lock(_lock_id(subject))))
    wanted = (keys.pair, *keys.subject, *keys.client)
    found = select(Lockout.key, Lockout.failures, Lockout.locked_until)
    rows = {key: (n, end) for key, n, end in session.execute(found.where(Lockout.key.in_(wanted)))}
    wait = max(_locked(rows, (keys.pair,), now), _locked(rows, keys.subject, now))
    if wait:
        raise LockedOut(guard.message, retry_after_s=wait)
    return rows


def _locked(rows: dict[str, _Row], keys: tuple[str, ...], now: datetime) -> int:
    """How many seconds the longest lock among these keys has left (0: none)."""
    ends = [end for key in keys if key in rows and (end := rows[key][1]) is not None and end > now]
    return ceil((max(ends) - now).total_seconds()) if ends else 0


def _carried(rows: dict[str, _Row], windows: tuple[str, str], elapsed: float) -> float:
    """The previous window's failures still in the sliding window ending now (in proportion to
    the part of the previous window it covers); the current window's are added to it."""
    previous = rows.get(windows[1], (0, None))[0]
    return previous * (1 - elapsed)


def _lock_id(key: str) -> int:
    """The key as PostgreSQL's advisory locks name one: a signed 64-bit number."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def _failed_backoff(session: Session, key: str, now: datetime) -> None:
    """One more failure of the pair (the first again once it has been quiet long enough); from
    the free ones on, it locks, and the lock is logged."""
    table = Lockout.__table__
    # a lock always ends after the failure that set it, so it is the key's last event if any
    quiet_since = func.coalesce(table.c.locked_until, table.c.last_failure_at)
    forgotten = quiet_since < now - timedelta(seconds=PAIR.forget_s)
    failures = _upsert(
        session,
        key,
        now,
        failures=case((forgotten, 1), else_=table.c.failures + 1),
        locked_until=case((forgotten, None), else_=table.c.locked_until),
    )
    _lock(session, key, PAIR.lock_s(failures), failures, now)


def _failed_rate(
    session: Session, key: str, rate: Rate, carried: float, now: datetime, *, locked: bool
) -> None:
    """One more failure in the current window (`carried`: the previous window's part of the
    sliding count); at the limit, a fixed lock unless one still runs (no doubling)."""
    counted = _upsert(session, key, now, failures=Lockout.__table__.c.failures + 1)
    total = round(counted + carried)
    if total >= rate.limit and not locked:
        _lock(session, key, rate.lock_s, total, now)


def _upsert(session: Session, key: str, now: datetime, **on_conflict: Any) -> int:
    """Count a failure of the key (its first, or as `on_conflict` says); its failures now."""
    table = Lockout.__table__
    insert = _dialect(session).insert(Lockout).values(key=key, failures=1, last_failure_at=now)
    upsert = insert.on_conflict_do_update(
        index_elements=["key"], set_={**on_conflict, "last_failure_at": now}
    )
    failures: int = session.execute(upsert.returning(table.c.failures)).scalar_one()
    return failures


def _lock(session: Session, key: str, lock_s: int, failures: int, now: datetime) -> None:
    if not lock_s:
        return
    until = now + timedelta(seconds=lock_s)
    locking = update(Lockout).where(Lockout.key == key).values(locked_until=until)
    session.execute(locking, execution_options=_NO_SYNC)
    log.warning("lockout: %s locked for %d s after %d failures", key, lock_s, failures)


def _purge(session: Session, now: datetime) -> None:
    """Delete a few keys quiet for longer than any policy remembers (skipping rows another
    request holds, so two purges never wait for each other)."""
    # a pair's lock ends at most max_lock_s after its failure, a window's count is read during
    # the next window: older failures are forgotten for sure
    longest = max(
        PAIR.forget_s + PAIR.max_lock_s, *(2 * r.window_s + r.lock_s for r in (SUBJECT, CLIENT))
    )
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
