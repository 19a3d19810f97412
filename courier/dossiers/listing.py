"""The staff list of dossiers: every filter and the caller's scope in SQL, keyset pages, export.

Rows come newest first (created_at, then id, both descending); a page's cursor is the sort key
of its last row, so a row added meanwhile never shifts a later page (it sorts before page one).
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, select, tuple_
from sqlalchemy.orm import Session, aliased

from courier import access
from courier.actors import Actor
from courier.catalogue.models import Procedure, Site
from courier.dossiers.models import Dossier, DossierStatus, Job, JobStatus
from courier.dossiers.states import CARRIED_IN
from courier.errors import FieldProblem, InvalidInput
from courier.fleet.models import Courier
from courier.text import mark

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
EXPORT_LIMIT = 100_000
# a dossier whose result reached the citizen, came back to the center for them, or was cancelled
FINISHED = (DossierStatus.DELIVERED, DossierStatus.RETURNED_TO_CENTER, DossierStatus.CANCELLED)

BAD_CURSOR = mark("this cursor is not one this list gave: start again from the first page")
TOO_MANY = mark("more than %(max)s dossiers match: narrow the filters to export them")

_Office = aliased(Site)
_Receiving = aliased(Site)


@dataclass(frozen=True, slots=True)
class DossierFilter:
    """What the caller asks for; every field narrows the list (codes as the catalogue has them)."""

    site: str | None = None
    statuses: tuple[DossierStatus, ...] = ()
    procedure: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    in_transit: bool = False
    courier: str | None = None
    post_office: str | None = None
    q: str | None = None
    changed_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A page of rows and the cursor of the next one (None on the last page)."""

    rows: Sequence[Row[*tuple[Any, ...]]]
    next_cursor: str | None


def _columns() -> Select[*tuple[Any, ...]]:
    """One row per dossier with the codes the list shows (no relationship is loaded)."""
    return (
        select(
            Dossier.id,
            Dossier.tracking_code,
            Dossier.status,
            Procedure.code.label("procedure_code"),
            _Receiving.code.label("receiving_site_code"),
            _Office.code.label("post_office_code"),
            Dossier.applicant_name,
            Dossier.applicant_phone,
            Dossier.address_text,
            Dossier.preferred_on,
            Dossier.slot,
            Dossier.result_return,
            Dossier.holder_kind,
            Dossier.due_on,
            Dossier.status_changed_at,
            Dossier.created_at,
        )
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(_Receiving, _Receiving.id == Dossier.receiving_site_id)
        .outerjoin(_Office, _Office.id == Dossier.post_office_id)
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
    )


def _id_of_code(model: type[Site] | type[Procedure] | type[Courier], code: str) -> Any:
    """The id of the row with that code, as a scalar subquery (no row: nothing matches).

    Codes are stored upper case (BD-CR-TDM-01) and typed in any case (bd-cr-tdm-01, as the
    README's usernames): the code as typed or upper-cased, compared on the unique index; the
    code as stored first, should both exist.
    """
    typed = code.strip()
    return (
        select(model.id)
        .where(model.code.in_({typed, typed.upper()}))
        .order_by((model.code == typed).desc())
        .limit(1)
        .scalar_subquery()
    )


def _conditions(wanted: DossierFilter, today: date) -> list[ColumnElement[bool]]:
    """The filters as SQL conditions."""
    found: list[ColumnElement[bool]] = []
    if wanted.site:
        found.append(Dossier.receiving_site_id == _id_of_code(Site, wanted.site))
    if wanted.post_office:
        found.append(Dossier.post_office_id == _id_of_code(Site, wanted.post_office))
    if wanted.procedure:
        found.append(Dossier.procedure_id == _id_of_code(Procedure, wanted.procedure))
    if wanted.statuses:
        found.append(Dossier.status.in_(wanted.statuses))
    if wanted.in_transit:
        found.append(Dossier.status.in_(CARRIED_IN))
    if wanted.due_from:
        found.append(Dossier.due_on >= wanted.due_from)
    if wanted.due_to:
        found.append(Dossier.due_on <= wanted.due_to)
    if wanted.overdue:
        found += [Dossier.due_on < today, Dossier.status.not_in(FINISHED)]
    if wanted.courier:
        carried = select(Job.dossier_id).where(
            Job.courier_id == _id_of_code(Courier, wanted.courier),
            Job.status.in_([JobStatus.PENDING, JobStatus.ASSIGNED]),
        )
        found.append(Dossier.id.in_(carried))
    if wanted.changed_since:
        found.append(Dossier.status_changed_at >= wanted.changed_since)
    if wanted.q and wanted.q.strip():
        found.append(Dossier.tracking_code.like(_prefix(wanted.q) + "%", escape="\\"))
    return found


def _prefix(q: str) -> str:
    """The code's beginning as stored (upper-case, no spaces), its LIKE wildcards escaped; a
    constant pattern, so PostgreSQL reads it from the prefix index."""
    code = q.replace(" ", "").strip().upper()
    return code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _query(actor: Actor, wanted: DossierFilter, today: date) -> Select[*tuple[Any, ...]]:
    return _columns().where(access.listed_dossiers(actor), *_conditions(wanted, today))


def list_page(
    session: Session,
    actor: Actor,
    wanted: DossierFilter,
    *,
    today: date,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page:
    """One page of the dossiers the actor may list that match, newest first.

    `today` is the service zone's date (overdue means due before it); `PermissionDenied` for
    callers who list nothing, `InvalidInput` for a cursor this list did not give.
    """
    query = _query(actor, wanted, today)
    if cursor is not None:
        created_at, dossier_id = decode_cursor(cursor)
        after = tuple_(bindparam(None, created_at, Dossier.created_at.type), dossier_id)
        query = query.where(tuple_(Dossier.created_at, Dossier.id) < after)
    rows = session.execute(query.limit(limit + 1)).all()
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], encode_cursor(last.created_at, last.id))


def export_rows(
    session: Session, actor: Actor, wanted: DossierFilter, *, today: date
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Every matching row, newest first; `InvalidInput` when more than EXPORT_LIMIT match."""
    rows = session.execute(_query(actor, wanted, today).limit(EXPORT_LIMIT + 1)).all()
    if len(rows) > EXPORT_LIMIT:
        limit = {"max": EXPORT_LIMIT}
        raise InvalidInput([FieldProblem(("query",), TOO_MANY, "too_many_rows", limit)])
    return rows


def encode_cursor(created_at: datetime, dossier_id: int) -> str:
    """An opaque cursor: the URL-safe base64 of the row's sort key."""
    key = json.dumps([created_at.isoformat(), dossier_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The sort key a cursor holds; `InvalidInput` naming `cursor` when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, dossier_id = json.loads(raw)
        key = datetime.fromisoformat(moment), int(dossier_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        key = None
    if key is None or key[0].tzinfo is None:
        raise InvalidInput([FieldProblem(("query", "cursor"), BAD_CURSOR, "invalid_cursor")])
    return key
