"""The access log of staff reads of personal data, for admins only (no way to change it)."""

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api import present
from api.deps import CurrentActor, DbSession, SettingsDep
from api.schemas import Day
from courier.dossiers import service as dossiers
from courier.errors import PermissionDenied
from courier.privacy import reads
from courier.settings import Settings

router = APIRouter(tags=["access log"])
MAX_LIMIT = 500


class AccessLogItem(BaseModel):
    """One staff read of one dossier's personal data."""

    id: int
    at: datetime
    actor: str  # user:ID | api_key:ID
    role: str
    site_id: int | None
    tracking_code: str
    data: str
    endpoint: str
    client: str


class AccessLogOut(BaseModel):
    """A page of the log, newest first; `next_cursor` continues it (null on the last page)."""

    items: list[AccessLogItem]
    next_cursor: str | None


@router.get("/access-log", response_model=AccessLogOut)
def access_log(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    dossier: Annotated[str | None, Query(max_length=13, description="tracking code")] = None,
    by: Annotated[
        str | None, Query(alias="actor", max_length=30, description="user:ID or api_key:ID")
    ] = None,
    since: Annotated[Day | None, Query(alias="from", description="local day, included")] = None,
    until: Annotated[Day | None, Query(alias="to", description="local day, included")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=12)] = None,
) -> AccessLogOut:
    """Admins: who read which dossier's personal data, when, through which endpoint, newest
    first; filters combine. Everyone else 403."""
    if not actor.is_admin:
        raise PermissionDenied("only admins read the access log")
    kind, actor_id = reads.parse_actor(by) if by else (None, None)
    found = dossiers.find_by_code(session, dossier) if dossier else None
    wanted = reads.LogFilter(
        dossier_id=(found.id if found else 0) if dossier else None,  # an unknown code: none
        actor_kind=kind,
        actor_id=actor_id,
        since=_start(since, settings),
        until=_start(until + timedelta(days=1), settings) if until else None,
    )
    rows, after = reads.page(session, wanted, limit=limit, before_id=reads.parse_cursor(cursor))
    items = [
        AccessLogItem(
            id=entry.id,
            at=present.local(entry.at, settings.zone),
            actor=f"{entry.actor_kind}:{entry.actor_id}",
            role=entry.role,
            site_id=entry.site_id,
            tracking_code=code,
            data=entry.data,
            endpoint=entry.endpoint,
            client=entry.client,
        )
        for entry, code in rows
    ]
    return AccessLogOut(items=items, next_cursor=str(after) if after else None)


def _start(day: date | None, settings: Settings) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0), settings.zone)
