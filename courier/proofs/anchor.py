"""The custody log: every link hash, as it is written, appended to one hash chain of its own.

A dossier's chain lives in its rows (its handover items and the head stored on the dossier), so
whoever can write the database could remove its last link and rewind its head. Each link is
therefore also appended here, outside the dossier: one entry per link, in the order written,
each hashing the entry before it. A day's entries have a root (the SHA-256 of the day and its
entry hashes), signed with the custody key and published at `GET /custody/days/{day}`; each
receipt prints its entries (day, number, hash). Nothing updates or deletes an entry (the database
refuses it too); writers take the head row's lock, so two handovers never fork the log.

Readers take no lock, and on PostgreSQL each statement sees what was committed before it: so the
head is read first (an entry past it is a handover committed since, not a gap), and what must
agree with it is read in the same statement.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from courier.db import utcnow
from courier.proofs import custody
from courier.proofs.models import CustodyAnchor, CustodyAnchorHead

HEAD_ID = 1


class LogHeadMissing(RuntimeError):
    """The custody log's head row is gone: the database was not migrated, or was tampered with."""


def entry_hash(*, seq: int, day: date, dossier_id: int, link_hash: str, prev_hash: str) -> str:
    """The hash of one log entry: a dossier's link placed in the log after the previous entry."""
    entry = {
        "v": custody.VERSION,
        "seq": seq,
        "day": day.isoformat(),
        "dossier": dossier_id,
        "link": link_hash,
        "prev": prev_hash,
    }
    return custody.sha256_hex(custody.canonical(entry))


def day_root(day: date, entries: Sequence[str]) -> str:
    """The root of a day: SHA-256 of `{"day", "entries", "v"}` as canonical JSON (sorted keys,
    no spaces), `entries` the day's entry hashes in log order."""
    return custody.sha256_hex(
        custody.canonical({"v": custody.VERSION, "day": day.isoformat(), "entries": list(entries)})
    )


def append(session: Session, *, dossier_id: int, link_hash: str, zone: ZoneInfo) -> CustodyAnchor:
    """Append one link to the log under the head row's lock (held until the commit), on today's
    date, never before the previous entry's day: a clock behind another server's, or stepped
    back, must not add to a day already complete (`day_log`)."""
    head = session.scalar(
        select(CustodyAnchorHead)
        .where(CustodyAnchorHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if head is None:
        raise LogHeadMissing("the custody_anchor_head row is missing; run the migrations")
    seq, day = head.seq + 1, utcnow().astimezone(zone).date()
    previous = session.scalar(select(CustodyAnchor.day).where(CustodyAnchor.seq == head.seq))
    day = max(day, previous or day)
    anchor = CustodyAnchor(
        seq=seq, day=day, dossier_id=dossier_id, link_hash=link_hash, prev_hash=head.entry_hash
    )
    anchor.entry_hash = entry_hash(
        seq=seq, day=day, dossier_id=dossier_id, link_hash=link_hash, prev_hash=head.entry_hash
    )
    session.add(anchor)
    head.seq, head.entry_hash = seq, anchor.entry_hash
    session.flush()
    return anchor


def of_dossier(session: Session, dossier_id: int) -> list[CustodyAnchor]:
    """The dossier's entries, in log order (its links in the order they were written)."""
    query = select(CustodyAnchor).where(CustodyAnchor.dossier_id == dossier_id)
    return list(session.scalars(query.order_by(CustodyAnchor.seq)))


def of_link(session: Session, dossier_id: int, link_hash: str) -> CustodyAnchor | None:
    """The entry that anchored one link of a dossier."""
    query = select(CustodyAnchor).where(
        CustodyAnchor.dossier_id == dossier_id, CustodyAnchor.link_hash == link_hash
    )
    return session.scalar(query.order_by(CustodyAnchor.seq).limit(1))


def entry_problems(
    session: Session, entries: Sequence[CustodyAnchor], *, head_seq: int | None = None
) -> dict[int, list[str]]:
    """What is wrong with each entry (by seq) and its place in the log: its hash recomputed, the
    entry before it present and hashed into it, the entry after it present and following it.
    `head_seq`: the head as read before `entries` (else it is read now, before the neighbours)."""
    if not entries:
        return {}
    last = _head_seq(session) if head_seq is None else head_seq
    seqs = [e.seq for e in entries]
    query = select(CustodyAnchor)
    if max(seqs) - min(seqs) <= 3 * len(seqs):  # a day: one range, not thousands of parameters
        query = query.where(CustodyAnchor.seq.between(min(seqs) - 1, max(seqs) + 1))
    else:
        query = query.where(CustodyAnchor.seq.in_({s + d for s in seqs for d in (-1, 0, 1)}))
    rows = {a.seq: a for a in session.scalars(query)}
    problems: dict[int, list[str]] = {}
    for entry in entries:
        found = problems.setdefault(entry.seq, [])
        if _recomputed(entry) != entry.entry_hash:
            found.append(f"custody log entry {entry.seq} ({entry.day}) was altered")
        before = rows.get(entry.seq - 1)
        if entry.seq > 1 and before is None:
            found.append(f"custody log entry {entry.seq - 1}, before entry {entry.seq}, is missing")
        elif entry.prev_hash != (before.entry_hash if before else custody.GENESIS):
            found.append(f"custody log entry {entry.seq} does not follow entry {entry.seq - 1}")
        if entry.seq < last and entry.seq + 1 not in rows:
            found.append(f"custody log entry {entry.seq + 1}, after entry {entry.seq}, is missing")
    return problems


def _recomputed(entry: CustodyAnchor) -> str:
    return entry_hash(
        seq=entry.seq,
        day=entry.day,
        dossier_id=entry.dossier_id,
        link_hash=entry.link_hash,
        prev_hash=entry.prev_hash,
    )


def _head_seq(session: Session) -> int:
    """The head's number as committed now (a column read: never a stale object of the session)."""
    seq = session.scalar(select(CustodyAnchorHead.seq).where(CustodyAnchorHead.id == HEAD_ID))
    if seq is None:
        raise LogHeadMissing("the custody_anchor_head row is missing; run the migrations")
    return seq


@dataclass(frozen=True, slots=True)
class _Ends:
    """The head, the log's last entry and the day of the entry the head names, read together."""

    head: tuple[int, str]
    last: tuple[int, str]
    head_day: date | None


def _ends(session: Session) -> _Ends:
    """One statement, so one snapshot: a handover committing meanwhile moves all or none."""
    last, at_head = aliased(CustodyAnchor), aliased(CustodyAnchor)
    newest = select(func.max(CustodyAnchor.seq)).correlate(None).scalar_subquery()
    row = session.execute(
        select(
            CustodyAnchorHead.seq,
            CustodyAnchorHead.entry_hash,
            last.seq,
            last.entry_hash,
            at_head.day,
        )
        .select_from(CustodyAnchorHead)
        .outerjoin(last, last.seq == newest)
        .outerjoin(at_head, at_head.seq == CustodyAnchorHead.seq)
        .where(CustodyAnchorHead.id == HEAD_ID)
    ).one_or_none()
    if row is None:
        raise LogHeadMissing("the custody_anchor_head row is missing; run the migrations")
    head_seq, head_hash, last_seq, last_hash, head_day = row
    ends = (last_seq, last_hash) if last_seq is not None else (0, custody.GENESIS)
    return _Ends((head_seq, head_hash), ends, head_day)


@dataclass(slots=True)
class DayLog:
    """A day of the custody log: its entry hashes in order, their root, whether an entry can
    still be added to it, and what is wrong."""

    day: date
    first_seq: int | None
    entries: list[str]
    root: str
    complete: bool = False
    problems: list[str] = field(default_factory=list)


def day_log(session: Session, day: date) -> DayLog:
    """The day's entries and root, each entry checked in its place in the log.

    Complete once the head names an entry of a later day: appends wait for each other (the head
    lock), so every entry of the day was committed before that one, and is read here after it."""
    ends = _ends(session)
    rows = list(
        session.scalars(
            select(CustodyAnchor).where(CustodyAnchor.day == day).order_by(CustodyAnchor.seq)
        )
    )
    log = DayLog(day, rows[0].seq if rows else None, [r.entry_hash for r in rows], "")
    log.root = day_root(day, log.entries)
    log.complete = ends.head_day is not None and ends.head_day > day
    log.problems = _flatten(entry_problems(session, rows, head_seq=ends.head[0]).values())
    if ends.last != ends.head:
        log.problems.append(
            f"the custody log ends at entry {ends.last[0]} but its head names entry "
            f"{ends.head[0]}: entries were removed or altered"
        )
    return log


def _flatten(groups: Iterable[list[str]]) -> list[str]:
    return list(dict.fromkeys(problem for group in groups for problem in group))
