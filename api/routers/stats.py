"""Statistics per center and period: counts, on-time rates per leg, failures, days per stage."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentActor, DbSession, SettingsDep
from api.schemas import Day
from api.schemas.stats import SiteStatsOut
from courier.stats import service as stats
from courier.stats.periods import period

router = APIRouter(prefix="/stats", tags=["statistics"])

FromDay = Annotated[Day, Query(alias="from", description="first local date, included")]
ToDay = Annotated[
    Day, Query(alias="to", description="last local date, included (366 days at most)")
]


@router.get("/sites", response_model=list[SiteStatsOut])
def all_sites(
    session: DbSession, settings: SettingsDep, actor: CurrentActor, from_on: FromDay, to_on: ToDay
) -> list[SiteStatsOut]:
    """The figures of every center the caller may read (admins: all; staff and keys: their own)."""
    found = stats.all_site_stats(session, actor, period(from_on, to_on, settings.zone), settings)
    return [SiteStatsOut.model_validate(s) for s in found]


@router.get(
    "/sites/{site_code}",
    response_model=SiteStatsOut,
    responses={403: {"description": "not the caller's center"}, 404: {"description": "no center"}},
)
def one_site(
    site_code: str,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    from_on: FromDay,
    to_on: ToDay,
) -> SiteStatsOut:
    """One center's figures over the period; the definitions are in the README (Statistics)."""
    found = stats.site_stats(
        session, actor, site_code, period(from_on, to_on, settings.zone), settings
    )
    return SiteStatsOut.model_validate(found)
