"""Dossiers for those they concern: details, center actions, a courier's departure."""

from fastapi import APIRouter

from api import present, schemas
from api.deps import CurrentActor, DbSession, SettingsDep
from courier.dossiers import actions
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


def _out(session: DbSession, dossier: Dossier, settings: SettingsDep) -> schemas.DossierOut:
    session.flush()
    session.refresh(dossier, ["jobs"])
    return present.dossier_out(dossier, settings.zone)


@router.get("/{code}", response_model=schemas.DossierOut)
def get_dossier(
    code: str, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.DossierOut:
    """The dossier with its personal data, if it concerns the caller."""
    return _out(session, dossiers.get_visible(session, code, actor), settings)


@router.post("/{code}/processing", response_model=schemas.DossierOut)
def start_processing(
    code: str, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.DossierOut:
    """The receiving center starts processing."""
    return _out(session, actions.start_processing(session, code, actor), settings)


@router.post("/{code}/result-ready", response_model=schemas.DossierOut)
def result_ready(
    code: str, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.DossierOut:
    """Center staff or the center's system (API key): the result is ready."""
    return _out(session, actions.mark_result_ready(session, code, actor, settings), settings)


@router.post("/{code}/postpone", response_model=schemas.DossierOut)
def postpone(
    code: str,
    body: schemas.PostponeIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
) -> schemas.DossierOut:
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
    return _out(session, dossier, settings)


@router.post("/{code}/depart", response_model=schemas.DossierOut)
def depart(
    code: str, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.DossierOut:
    """The carrying courier leaves for the center, or for the citizen with the result."""
    return _out(session, actions.depart(session, code, actor), settings)
