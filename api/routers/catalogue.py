"""The public catalogue: procedures and sites."""

from fastapi import APIRouter, Query

from api import present, schemas
from api.deps import DbSession
from courier.catalogue import service as catalogue
from courier.enums import SiteKind

router = APIRouter(tags=["catalogue"])


@router.get("/procedures", response_model=list[schemas.ProcedureOut])
def list_procedures(
    session: DbSession, q: str | None = Query(default=None, max_length=100)
) -> list[schemas.ProcedureOut]:
    """Procedures a citizen can hand in, searchable by code or name (Vietnamese or English)."""
    return [present.procedure_out(p) for p in catalogue.list_procedures(session, query=q)]


@router.get("/sites", response_model=list[schemas.SiteOut])
def list_sites(session: DbSession, kind: SiteKind | None = None) -> list[schemas.SiteOut]:
    """Centers, branches, reception points and post offices with their opening hours."""
    return [present.site_out(s) for s in catalogue.list_sites(session, kind=kind)]
