"""The daily plans: which exist, who sees them, and one build at a time per post office and day.

The plan's life is split by concern: `requesting` asks for a plan (or finds the one being built),
`building` cuts the day into parts, solves them and writes the stops, `publishing` hands them to
the couriers and rolls what did not fit over, `changes` locks, moves and re-plans, `printing`
makes the couriers' sheets. Here: looking a plan up, the office lock every change takes first,
and the rule that a day's post office has one plan in progress at a time.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.enums import SiteKind
from courier.errors import Conflict, NotFound, PermissionDenied
from courier.planning.models import Plan, PlanStatus
from courier.text import mark

# catalogue ids: the API answers them in the caller's language
NO_PLAN = mark("No plan %(id)s.")
OTHER_OFFICE = mark("Plan %(id)s is not of your post office.")
# a plan's status inside a sentence ("Plan 12 is published; ...")
STATUS_NAMES = {
    PlanStatus.QUEUED: mark("queued"),
    PlanStatus.BUILDING: mark("being built"),
    PlanStatus.BUILT: mark("built"),
    PlanStatus.FAILED: mark("failed"),
    PlanStatus.PUBLISHED: mark("published"),
    PlanStatus.SUPERSEDED: mark("superseded"),
}


def status_params(plan: Plan) -> dict[str, object]:
    """The plan's id and status for a refusal's sentence (the status a catalogue id)."""
    return {"id": plan.id, "status": STATUS_NAMES[plan.status]}


class PlanNotFound(NotFound):
    """No plan with that id."""


IN_PROGRESS = (PlanStatus.QUEUED, PlanStatus.BUILDING)
READY = (PlanStatus.BUILT, PlanStatus.PUBLISHED)


class PlanInProgress(Conflict):
    """A plan of the day sharing a post office with the one asked for is queued or building."""


def hold_offices(session: Session, depot_ids: list[int] | None) -> None:
    """Hold the post offices (all when None) until commit: requests for and publications of one
    office's plans run one at a time, so two at the same instant cannot both miss each other.

    PostgreSQL: a row lock that leaves the rows' foreign keys free (bookings and builds go on).
    SQLite: a writing transaction begins IMMEDIATE, so writers are one at a time already.
    """
    query = select(Site.id).where(Site.kind == SiteKind.POST_OFFICE).order_by(Site.id)
    if depot_ids is not None:
        query = query.where(Site.id.in_(depot_ids))
    session.execute(query.with_for_update(key_share=True)).all()


def sharing_offices(
    session: Session,
    service_on: date,
    depot_ids: list[int] | None,
    statuses: tuple[PlanStatus, ...],
) -> list[Plan]:
    """The day's plans in these statuses with a post office in common with `depot_ids`."""
    plans = session.scalars(
        select(Plan)
        .where(Plan.service_on == service_on, Plan.status.in_(statuses))
        .order_by(Plan.id)
    )
    return [
        p
        for p in plans
        if p.depot_ids is None or depot_ids is None or set(p.depot_ids) & set(depot_ids)
    ]


def in_progress(
    session: Session,
    service_on: date,
    depot_ids: list[int] | None,
    *,
    joinable: bool,
    exclude: int | None = None,
) -> Plan | None:
    """The plan of the day being built for exactly these post offices, when `joinable`;
    `PlanInProgress` when another plan being built shares a post office with them."""
    for plan in sharing_offices(session, service_on, depot_ids, IN_PROGRESS):
        if plan.id == exclude:
            continue
        if joinable and same_offices(plan.depot_ids, depot_ids):
            return plan
        raise PlanInProgress(
            f"plan {plan.id} of {service_on} is {plan.status.value} for post offices of this "
            "plan; one plan per post office and day is built at a time"
        )
    return None


def same_offices(one: list[int] | None, other: list[int] | None) -> bool:
    """True when both name the same post offices (None: all of them)."""
    return (one is None) == (other is None) and set(one or ()) == set(other or ())


def refuse_in_progress(session: Session, plan: Plan, *, exclude: int | None = None) -> None:
    """`PlanInProgress` when another plan of the day sharing a post office is being built."""
    hold_offices(session, plan.depot_ids)
    in_progress(session, plan.service_on, plan.depot_ids, joinable=False, exclude=exclude)


def get_plan(session: Session, plan_id: int, *, lock: bool = False) -> Plan:
    """The plan, or `PlanNotFound`."""
    query = select(Plan).where(Plan.id == plan_id)
    if lock:  # the row as it is once locked, not as this session first read it
        query = query.with_for_update().execution_options(populate_existing=True)
    plan = session.scalar(query)
    if plan is None:
        raise PlanNotFound(NO_PLAN, params={"id": plan_id})
    return plan


def held_plan(session: Session, plan_id: int, actor: Actor) -> Plan:
    """A visible plan held until commit: its post offices first, then the plan, the order
    publishing and discarding take; a plan discarded meanwhile is `PlanNotFound` (not a lock or a
    new plan referencing a deleted one)."""
    hold_offices(session, visible_plan(session, plan_id, actor).depot_ids)
    return get_plan(session, plan_id, lock=True)


def visible_plan(session: Session, plan_id: int, actor: Actor, *, lock: bool = False) -> Plan:
    """A plan for admins, or for a dispatcher when all its depots are their post office."""
    office = access.office_scope(actor)
    plan = get_plan(session, plan_id, lock=lock)
    if not shown_to(plan, office):
        raise PermissionDenied(OTHER_OFFICE, params={"id": plan_id})
    return plan


def shown_to(plan: Plan, office: int | None) -> bool:
    """True when the plan is for exactly that post office (any plan for None: an admin)."""
    return office is None or (bool(plan.depot_ids) and set(plan.depot_ids or ()) == {office})
