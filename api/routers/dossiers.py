"""Dossiers for those they concern: the staff list and its export, details, center actions, a
courier's departure."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse

from api import present
from api.deps import CurrentActor, DbSession, SettingsDep
from api.present.dossier_list import csv_chunks
from api.present.dossiers import dossier_out
from api.reads import ReadLog, ReadLogDep
from api.schemas import Day
from api.schemas.dossier_list import DossierListItem, DossierListOut
from api.schemas.dossiers import DossierOut, PostponeIn, ResultReadyIn
from courier import calendar
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers import actions, listing
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier, DossierStatus
from courier.privacy.reads import DataKind
from courier.settings import Settings

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


def dossier_filter(
    site: Annotated[str | None, Query(description="receiving site code")] = None,
    status: Annotated[list[DossierStatus] | None, Query(description="repeatable")] = None,
    procedure: Annotated[str | None, Query(description="procedure code")] = None,
    due_from: Annotated[Day | None, Query(description="due on or after")] = None,
    due_to: Annotated[Day | None, Query(description="due on or before")] = None,
    overdue: Annotated[
        bool, Query(description="due before today and not delivered, returned or cancelled")
    ] = False,
    in_transit: Annotated[
        bool, Query(description="collected and on the way to the receiving site")
    ] = False,
    courier: Annotated[str | None, Query(description="courier code of an open job")] = None,
    post_office: Annotated[str | None, Query(description="serving post office code")] = None,
    q: Annotated[str | None, Query(max_length=13, description="tracking code prefix")] = None,
) -> listing.DossierFilter:
    """The list's filters from the query string."""
    return listing.DossierFilter(
        site=site,
        statuses=tuple(status or ()),
        procedure=procedure,
        due_from=due_from,
        due_to=due_to,
        overdue=overdue,
        in_transit=in_transit,
        courier=courier,
        post_office=post_office,
        q=q,
    )


Filter = Annotated[listing.DossierFilter, Depends(dossier_filter)]


@router.get("", response_model=DossierListOut)
def list_dossiers(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    wanted: Filter,
    log: ReadLogDep,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = listing.DEFAULT_LIMIT,
    cursor: str | None = None,
) -> DossierListOut:
    """Staff: the dossiers of the caller's site (center staff, its API key) or post office
    (dispatchers), all for admins, newest first; filters combine, `cursor` pages on."""
    today = calendar.local_today(utcnow(), settings.zone)
    page = listing.list_page(session, actor, wanted, today=today, limit=limit, cursor=cursor)
    log.ids(actor, DataKind.DOSSIER_LIST, (r.id for r in page.rows))
    context = {"zone": settings.zone}
    return DossierListOut(
        items=[DossierListItem.model_validate(r, context=context) for r in page.rows],
        next_cursor=page.next_cursor,
    )


@router.get(".csv", response_class=StreamingResponse)
def export_dossiers(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    wanted: Filter,
    log: ReadLogDep,
    accept_language: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The same list as a spreadsheet (every matching row, up to 100,000), UTF-8 with a BOM."""
    today = calendar.local_today(utcnow(), settings.zone)
    rows = listing.export_rows(session, actor, wanted, today=today)
    log.ids(actor, DataKind.DOSSIER_EXPORT, (r.id for r in rows))
    chunks = csv_chunks(rows, present.language(accept_language), settings.zone)
    name = f"ho-so-{today:%Y-%m-%d}.csv"
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _out(log: ReadLog, actor: Actor, dossier: Dossier, settings: Settings) -> DossierOut:
    """The dossier in full, its read logged."""
    log.session.flush()
    log.session.refresh(dossier, ["jobs"])
    log.dossiers(actor, DataKind.DOSSIER, [dossier])
    return dossier_out(dossier, settings.zone)


@router.get("/{code}", response_model=DossierOut)
def get_dossier(
    code: str, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> DossierOut:
    """The dossier with its personal data, if it concerns the caller."""
    return _out(log, actor, dossiers.get_visible(session, code, actor), settings)


@router.post("/{code}/processing", response_model=DossierOut)
def start_processing(
    code: str, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> DossierOut:
    """The receiving center starts processing."""
    return _out(log, actor, actions.start_processing(session, code, actor), settings)


@router.post("/{code}/result-ready", response_model=DossierOut)
def result_ready(
    code: str,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
    body: ResultReadyIn | None = None,
) -> DossierOut:
    """Center staff or the center's system (API key): the result is ready, returned as booked
    or as the citizen now asks (`result_return`)."""
    chosen = body.result_return if body else None
    found = actions.mark_result_ready(session, code, actor, settings, result_return=chosen)
    return _out(log, actor, found, settings)


@router.post("/{code}/postpone", response_model=DossierOut)
def postpone(
    code: str,
    body: PostponeIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
) -> DossierOut:
    """The receiving center moves the result date (new date, reason); the timeline shows it."""
    dossier = actions.postpone_result(
        session,
        code,
        actor,
        settings,
        new_due_on=body.new_due_on,
        reason=body.reason,
        note=body.note,
    )
    return _out(log, actor, dossier, settings)


@router.post("/{code}/depart", response_model=DossierOut)
def depart(
    code: str, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> DossierOut:
    """The carrying courier leaves for the center, or for the citizen with the result."""
    return _out(log, actor, actions.depart(session, code, actor), settings)
