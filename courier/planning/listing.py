"""Reading plans for dispatchers: the day's plans they may see, a plan's offices by code, its
routes in short and every stop in order."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier import access
from courier.accounts.models import User
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.dossiers.models import Dossier, Job
from courier.enums import SiteKind
from courier.errors import FieldProblem, InvalidInput
from courier.fleet.models import Courier
from courier.planning import routes
from courier.planning.models import Plan, PlanStatus, RouteStop
from courier.planning.service import shown_to
from courier.text import mark

UNKNOWN_DEPOT = mark("no post office has this code")


@dataclass(frozen=True, slots=True)
class PlanListing:
    """A plan with its post offices by code (None: all of them) and who asked for it (None: the
    nightly task)."""

    plan: Plan
    depots: list[str] | None
    requested_by: str | None

    @property
    def published(self) -> bool:
        """True while couriers read this plan (a newer one covering its offices supersedes it)."""
        return self.plan.status is PlanStatus.PUBLISHED


def list_plans(
    session: Session, actor: Actor, *, service_on: date, depot_code: str | None
) -> list[PlanListing]:
    """The day's plans the actor may see (a dispatcher: those of exactly their post office;
    admins: all), with `depot_code` those planning that post office; others are refused."""
    office = access.office_scope(actor)
    depot = _office_id(session, depot_code) if depot_code is not None else None
    plans = [
        plan
        for plan in session.scalars(
            select(Plan).where(Plan.service_on == service_on).order_by(Plan.id)
        )
        if shown_to(plan, office) and (depot is None or plan_covers(plan, depot))
    ]
    return listings(session, plans)


def plan_covers(plan: Plan, office: int) -> bool:
    """True when the plan plans that post office (a plan of all offices plans every one)."""
    return plan.depot_ids is None or office in plan.depot_ids


def _office_id(session: Session, code: str) -> int:
    """The id of the post office with that code, or `InvalidInput` on `depot`."""
    found = session.scalar(
        select(Site.id).where(Site.code == code, Site.kind == SiteKind.POST_OFFICE)
    )
    if found is None:
        raise InvalidInput([FieldProblem(("query", "depot"), UNKNOWN_DEPOT, "unknown_depot")])
    return found


def listings(session: Session, plans: list[Plan]) -> list[PlanListing]:
    """The plans with their offices' codes and the usernames of who asked for them."""
    codes = office_codes(session, {i for p in plans for i in p.depot_ids or ()})
    user_ids = {p.created_by_id for p in plans if p.created_by_id is not None}
    users = dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())
    return [
        PlanListing(
            plan=plan,
            depots=None if plan.depot_ids is None else [codes[i] for i in plan.depot_ids],
            requested_by=users.get(plan.created_by_id) if plan.created_by_id else None,
        )
        for plan in plans
    ]


def office_codes(session: Session, ids: set[int]) -> dict[int, str]:
    """The codes of the sites with these ids."""
    return dict(session.execute(select(Site.id, Site.code).where(Site.id.in_(ids))).all())


@dataclass(frozen=True, slots=True)
class RouteSummary:
    """One courier's route in a plan, in short."""

    courier_id: int
    courier_code: str
    stops: int
    first_arrival: datetime
    last_departure: datetime


def route_summaries(session: Session, plan_id: int) -> list[RouteSummary]:
    """Each courier's route in the plan: stops, first arrival, last departure; by courier code."""
    rows = session.execute(
        select(
            RouteStop.courier_id,
            Courier.code,
            func.count(),
            func.min(RouteStop.arrival_at),
            func.max(RouteStop.departure_at),
        )
        .join(Courier, Courier.id == RouteStop.courier_id)
        .where(RouteStop.plan_id == plan_id)
        .group_by(RouteStop.courier_id, Courier.code)
        .order_by(Courier.code)
    ).all()
    return [RouteSummary(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class PlanStop:
    """One stop of a plan's route: its courier, place, job and dossier; `held_at` is the
    courier's post office when the stop leaves the dossier there for the night."""

    courier_code: str
    stop: RouteStop
    job: Job
    tracking_code: str
    held_at: Site | None = None

    @property
    def place(self) -> Site | None:
        """Where the stop happens (`routes.stop_place`)."""
        return routes.stop_place(self.job, self.held_at)

    @property
    def action(self) -> str:
        """What the courier does there (`routes.stop_action`)."""
        return routes.stop_action(self.job, self.held_at)


def plan_stops(session: Session, plan_id: int) -> list[PlanStop]:
    """Every stop of the plan, route by route (by courier code), each route in order."""
    rows = session.execute(
        select(Courier, RouteStop, Job, Dossier.tracking_code)
        .join(Courier, Courier.id == RouteStop.courier_id)
        .join(Job, Job.id == RouteStop.job_id)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .where(RouteStop.plan_id == plan_id)
        .order_by(Courier.code, RouteStop.position)
    ).all()
    return [
        PlanStop(courier.code, stop, job, code, routes.held_office(courier, stop.at_post_office))
        for courier, stop, job, code in rows
    ]


def dossier_ids(session: Session, plan_id: int, courier_id: int | None = None) -> list[int]:
    """The dossiers whose stops a plan shows (one courier's route, if named): for the access log."""
    query = (
        select(Job.dossier_id)
        .join(RouteStop, RouteStop.job_id == Job.id)
        .where(RouteStop.plan_id == plan_id)
    )
    if courier_id is not None:
        query = query.where(RouteStop.courier_id == courier_id)
    return list(session.scalars(query.distinct()))
