"""The public catalogue: procedures and sites, and which site receives a dossier."""

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import calendar
from courier.catalogue.models import Procedure, Site, Ward
from courier.enums import SiteKind
from courier.text import unaccented

EARTH_RADIUS_M = 6_371_000.0


def fold(text: str) -> str:
    """Text for matching: case-folded, without diacritics (đ as d), spaces collapsed."""
    return " ".join(unaccented(text.casefold()).split())


def list_procedures(session: Session, *, query: str | None = None) -> list[Procedure]:
    """Active procedures, filtered by code or name in either language, ignoring case and accents."""
    stmt = select(Procedure).where(Procedure.active).order_by(Procedure.field, Procedure.code)
    procedures = list(session.scalars(stmt).all())
    wanted = fold(query or "")
    if not wanted:
        return procedures
    # folded in Python: SQLite's LOWER/LIKE only fold ASCII, and no backend drops diacritics;
    # the catalogue is a few hundred rows at most
    return [
        p
        for p in procedures
        if any(wanted in fold(text) for text in (p.code, p.name_vi, p.name_en))
    ]


def get_procedure(session: Session, code: str) -> Procedure | None:
    """The active procedure with that code."""
    stmt = select(Procedure).where(Procedure.code == code.strip().upper(), Procedure.active)
    return session.scalars(stmt).one_or_none()


def list_sites(session: Session, *, kind: SiteKind | None = None) -> list[Site]:
    """Sites, optionally of one kind, by code."""
    stmt = select(Site).order_by(Site.code)
    if kind is not None:
        stmt = stmt.where(Site.kind == kind)
    return list(session.scalars(stmt).all())


def get_site(session: Session, code: str) -> Site | None:
    """The site with that code."""
    return session.scalars(select(Site).where(Site.code == code)).one_or_none()


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def receiving_site(session: Session, procedure: Procedure, lat: float, lon: float) -> Site | None:
    """The site that receives this procedure for a citizen there: the nearest of its kind."""
    sites = list_sites(session, kind=procedure.receiving_kind)
    if not sites:
        return None
    return min(sites, key=lambda s: distance_m(lat, lon, s.lat, s.lon))


def is_open_on(site: Site, day: date) -> bool:
    """True when the site opens its counter on that day."""
    if not calendar.is_working_day(day):
        return day.isoweekday() == 6 and site.saturday_morning and not calendar.is_holiday(day)
    return str(day.isoweekday()) in site.open_weekdays


def closing_time(site: Site, day: date, zone: ZoneInfo) -> datetime:
    """When the site's counter closes on a day it is open."""
    clock = site.morning_closes if day.isoweekday() == 6 else site.afternoon_closes
    return calendar.at(day, clock, zone)


def opening_windows(site: Site, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The site's open periods on a day (two with the lunch break), in UTC."""
    if not is_open_on(site, day):
        return []
    morning = (
        calendar.at(day, site.morning_opens, zone),
        calendar.at(day, site.morning_closes, zone),
    )
    if day.isoweekday() == 6:
        return [morning]
    afternoon = (
        calendar.at(day, site.afternoon_opens, zone),
        calendar.at(day, site.afternoon_closes, zone),
    )
    return [morning, afternoon]


def next_open_day(site: Site, day: date) -> date:
    """The first day strictly after `day` on which the site is open."""
    day = calendar.next_working_day(day)
    while not is_open_on(site, day):
        day = calendar.next_working_day(day)
    return day


def next_opening(site: Site, at: datetime, zone: ZoneInfo) -> datetime:
    """`at` if the counter is open then, otherwise when it next opens."""
    day = at.astimezone(zone).date()
    for _ in range(60):  # two months of closed days would be a data error, not a calendar
        for start, end in opening_windows(site, day, zone):
            if end > at:
                return max(start, at)
        day = next_open_day(site, day)
    raise ValueError(f"site {site.code} does not open within 60 days of {at.isoformat()}")


def list_wards(
    session: Session, *, district: str | None = None, query: str | None = None
) -> list[Ward]:
    """Wards and communes by district then name, filtered ignoring case and accents."""
    stmt = select(Ward).order_by(Ward.district_vi, Ward.name_vi)
    wards = list(session.scalars(stmt).all())
    in_district, wanted = fold(district or ""), fold(query or "")
    return [
        w
        for w in wards
        if (not in_district or in_district in fold(f"{w.district_vi} {w.district_en}"))
        and (not wanted or wanted in fold(f"{w.name_vi} {w.name_en} {w.code}"))
    ]


def get_ward(session: Session, code: str) -> Ward | None:
    """The ward or commune with that code."""
    return session.scalars(select(Ward).where(Ward.code == code)).one_or_none()
