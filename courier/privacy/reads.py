"""The access log: every staff read of a dossier's personal data, one row per dossier shown.

The API and the staff pages call `record` where they load what they show. Rows are written in
the request's transaction in one executemany INSERT (PostgreSQL's driver pipelines a row at a
time: about 50 µs a row, 0.6 s of a 15,000-row CSV export, bench/README.md); a SQLite request that only reads (its
transaction begins DEFERRED, `courier.db`) keeps them for `write_deferred`, which the edge runs
in a writing transaction of its own before the answer is sent, so no answer leaves without its
rows. Citizens and enterprises reading what they booked, and the system's own tasks, are not
staff and write nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from courier.actors import Actor
from courier.db import READ_ONLY
from courier.dossiers.models import Dossier
from courier.enums import Role
from courier.errors import FieldProblem, InvalidInput
from courier.privacy.models import AccessLogEntry

_DEFERRED = "courier_deferred_reads"
_CITIZEN_ROLES = (Role.CITIZEN, Role.ENTERPRISE)


class DataKind(StrEnum):
    """Which of a dossier's personal data a read showed."""

    DOSSIER = "dossier"  # the full dossier: name, phone, address, point
    DOSSIER_LIST = "dossier_list"  # a list row: name, phone, address
    DOSSIER_EXPORT = "dossier_export"  # a spreadsheet row: name, phone, address
    JOB = "job"  # a stop's address and point
    HANDOVER = "handover"  # a handover record: where it took place
    PROOF_IMAGE = "proof_image"  # a signature or photo
    RECEIPT = "receipt"  # a printed receipt: signatures, photos, place
    ROUTE = "route"  # a route stop: address, contact name and phone
    ROUTE_SHEET = "route_sheet"  # a printed route sheet: the same
    PLAN_STOPS = "plan_stops"  # a plan's stops: addresses
    COUNTER = "counter"  # the center's counter: a dossier checked or received


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads, through which endpoint, from which client address."""

    actor: Actor
    endpoint: str
    client: str

    @property
    def is_staff(self) -> bool:
        """Staff of any kind (and a center's API key); citizens and enterprises are not."""
        actor = self.actor
        if actor.kind == "api_key":
            return actor.site_id is not None
        return actor.kind == "user" and actor.role not in _CITIZEN_ROLES


def record(
    session: Session, reader: Reader, kind: DataKind, dossier_ids: Iterable[int | None]
) -> None:
    """Log the read of these dossiers' personal data by staff: one row per dossier, one INSERT."""
    if not reader.is_staff:
        return
    ids = sorted({i for i in dossier_ids if i is not None})
    if not ids:
        return
    actor = reader.actor
    role = actor.role.value if actor.kind == "user" and actor.role else actor.kind
    rows = [
        {
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "role": role,
            "site_id": actor.site_id,
            "dossier_id": dossier_id,
            "data": kind.value,
            "endpoint": reader.endpoint[:200],
            "client": reader.client[:64],
        }
        for dossier_id in ids
    ]
    if _reads_only_on_sqlite(session):
        session.info.setdefault(_DEFERRED, []).extend(rows)
        return
    session.execute(insert(AccessLogEntry), rows)


def record_dossiers(
    session: Session, reader: Reader, kind: DataKind, dossiers: Iterable[Dossier]
) -> None:
    """`record` for loaded dossiers."""
    record(session, reader, kind, (d.id for d in dossiers))


def _reads_only_on_sqlite(session: Session) -> bool:
    bind = session.get_bind()
    return isinstance(bind, Engine) and bool(bind.get_execution_options().get(READ_ONLY))


def deferred(session: Session) -> list[dict[str, Any]]:
    """The rows a read-only SQLite request kept for `write_deferred` (taken: asked once)."""
    rows: list[dict[str, Any]] = session.info.pop(_DEFERRED, [])
    return rows


def write_deferred(factory: sessionmaker[Session], rows: list[dict[str, Any]]) -> None:
    """Write kept rows in a transaction of their own (SQLite: BEGIN IMMEDIATE waits its turn)."""
    with factory() as session, session.begin():
        session.execute(insert(AccessLogEntry), rows)


@dataclass(frozen=True, slots=True)
class LogFilter:
    """What an admin narrows the log to."""

    dossier_id: int | None = None
    actor_kind: str | None = None
    actor_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def parse_actor(text: str) -> tuple[str, int]:
    """`user:12` or `api_key:3`, as the log's rows name their actor; else 422 on `actor`."""
    kind, _, number = text.partition(":")
    if kind in ("user", "api_key") and number.isdigit() and 0 < int(number) < 2**31:
        return kind, int(number)
    raise InvalidInput([FieldProblem(("query", "actor"), "write user:ID or api_key:ID")])


def parse_cursor(text: str | None) -> int | None:
    """The id a page continues below; a cursor the log did not give is 422."""
    if text is None:
        return None
    if text.isdigit() and 0 < int(text) < 2**31:
        return int(text)
    raise InvalidInput([FieldProblem(("query", "cursor"), "use the next_cursor of a page")])


def page(
    session: Session, wanted: LogFilter, *, limit: int, before_id: int | None
) -> tuple[list[tuple[AccessLogEntry, str]], int | None]:
    """Rows newest first with their dossier's code, and the cursor of the next page (or None)."""
    query = select(AccessLogEntry, Dossier.tracking_code).join(
        Dossier, Dossier.id == AccessLogEntry.dossier_id
    )
    if wanted.dossier_id is not None:
        query = query.where(AccessLogEntry.dossier_id == wanted.dossier_id)
    if wanted.actor_kind is not None:
        query = query.where(
            AccessLogEntry.actor_kind == wanted.actor_kind,
            AccessLogEntry.actor_id == wanted.actor_id,
        )
    if wanted.since is not None:
        query = query.where(AccessLogEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AccessLogEntry.at < wanted.until)
    if before_id is not None:
        query = query.where(AccessLogEntry.id < before_id)
    found = session.execute(query.order_by(AccessLogEntry.id.desc()).limit(limit + 1))
    rows = [(entry, code) for entry, code in found]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1][0].id if more and rows else None)


def of_dossier(session: Session, dossier_id: int) -> list[AccessLogEntry]:
    """Every staff read of one dossier, oldest first (what its citizen may see)."""
    query = select(AccessLogEntry).where(AccessLogEntry.dossier_id == dossier_id)
    return list(session.scalars(query.order_by(AccessLogEntry.id)))
