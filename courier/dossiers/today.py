"""A center's day for its staff screen: the staff list's sections, and who brings what when.

Each section is one query of the staff list (`courier.dossiers.listing`), so the caller's scope
and the filters stay in SQL; the couriers carrying the dossiers in transit and their expected
arrival at the center from the published plan are two more queries over that page's ids.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier.actors import Actor
from courier.dossiers import listing
from courier.dossiers.models import Dossier, DossierStatus, Job, JobKind, JobStatus, Leg
from courier.dossiers.states import CARRIED_IN
from courier.enums import PartyKind
from courier.fleet.models import Courier
from courier.planning.models import Plan, PlanStatus, RouteStop
from courier.text import mark

S = DossierStatus


@dataclass(frozen=True, slots=True)
class Section:
    """One list of the day: its key (in URLs), its title, and which dossiers it holds."""

    key: str
    title: str
    statuses: tuple[DossierStatus, ...]
    overdue: bool = False
    today_only: bool = False


SECTIONS: tuple[Section, ...] = (
    Section("transit", mark("In transit to the center"), CARRIED_IN),
    Section("overdue", mark("Overdue"), (), overdue=True),
    Section("counter", mark("Waiting at the counter"), (S.RECEIVED_AT_CENTER,)),
    Section("processing", mark("In processing"), (S.PROCESSING,)),
    Section("ready", mark("Results ready"), (S.RESULT_READY,)),
    Section(
        "returned",
        mark("Returned today"),
        (S.DELIVERED, S.RETURNED_TO_CENTER),
        today_only=True,
    ),
)


@dataclass(frozen=True, slots=True)
class Carrier:
    """Who carries a dossier to the center, and when the published plan brings it there."""

    courier_name: str | None
    expected_at: datetime | None


@dataclass(frozen=True, slots=True)
class SectionPage:
    """A section's page of rows, the cursor of the next page, and the carriers of its rows."""

    section: Section
    page: listing.Page
    carriers: dict[int, Carrier]


def section_filter(
    section: Section, wanted: listing.DossierFilter, since: datetime
) -> listing.DossierFilter | None:
    """The staff list's filter for a section, narrowed by the visitor's; None when the visitor's
    status is not one this section holds."""
    statuses = section.statuses
    if wanted.statuses:
        statuses = tuple(s for s in wanted.statuses if not statuses or s in statuses)
        if not statuses:
            return None
    return replace(
        wanted,
        statuses=statuses,
        overdue=section.overdue,
        changed_since=since if section.today_only else None,
    )


def section_page(
    session: Session,
    actor: Actor,
    section: Section,
    wanted: listing.DossierFilter,
    *,
    today: date,
    since: datetime,
    cursor: str | None = None,
) -> SectionPage | None:
    """One page of a section (None when the visitor's filter excludes it)."""
    narrowed = section_filter(section, wanted, since)
    if narrowed is None:
        return None
    page = listing.list_page(session, actor, narrowed, today=today, cursor=cursor)
    in_transit = [row.id for row in page.rows if row.status in CARRIED_IN]
    return SectionPage(section, page, carriers(session, in_transit))


def carriers(session: Session, dossier_ids: Sequence[int]) -> dict[int, Carrier]:
    """For each dossier, the courier holding it and its planned arrival at the center."""
    if not dossier_ids:
        return {}
    names = dict(
        session.execute(
            select(Dossier.id, Courier.full_name)
            .join(Courier, Courier.id == Dossier.holder_id)
            .where(Dossier.id.in_(dossier_ids), Dossier.holder_kind == PartyKind.COURIER)
        ).all()
    )
    arrivals = dict(
        session.execute(
            select(Job.dossier_id, func.min(RouteStop.arrival_at))
            .join(RouteStop, RouteStop.job_id == Job.id)
            .join(Plan, Plan.id == RouteStop.plan_id)
            .where(
                Job.dossier_id.in_(dossier_ids),
                Job.leg == Leg.INBOUND,
                Job.kind == JobKind.DELIVERY,
                Job.status.in_([JobStatus.PENDING, JobStatus.ASSIGNED]),
                Plan.status == PlanStatus.PUBLISHED,
            )
            .group_by(Job.dossier_id)
        ).all()
    )
    return {i: Carrier(names.get(i), arrivals.get(i)) for i in dossier_ids}
