"""Asking for a daily plan: write it and enqueue its build, or answer with the one in progress.

A second request for the same day and post offices gets the plan being built; a request that
shares only some offices with one in progress is refused; a rebuild starts a plan over.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access, calendar, dispatch
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.db import utcnow
from courier.enums import SiteKind
from courier.errors import Conflict, FieldProblem, InvalidInput, PermissionDenied
from courier.planning import service
from courier.planning.models import Plan, PlanStatus
from courier.settings import Settings
from courier.text import mark

# a plan is built for a day at most this far ahead (the nightly build makes tomorrow's)
PLAN_DAYS_AHEAD = 31
# the booking's sentences for the same days (one catalogue entry each)
PAST_DAY = mark("please choose today or a later day")
OWN_OFFICE = mark("A dispatcher plans only their own post office.")
NOTHING_TO_BUILD = mark("Plan %(id)s is %(status)s; there is nothing to build.")
NOT_WORKING_DAY = mark("please choose a working day (Monday to Friday, not a public holiday)")
UNKNOWN_DEPOTS = mark("no post office has these codes: %(codes)s")


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What asking for a plan did: the plan, whether it was already being built (nothing new
    then), and the day's other plans sharing a post office with it (built or published ones)."""

    plan: Plan
    existing: bool
    same_day: list[Plan]


def request_plan(
    session: Session,
    actor: Actor | None,
    *,
    service_on: date,
    depot_codes: list[str] | None,
    settings: Settings,
    enqueue_build: bool = True,
) -> Plan:
    """The plan of `ask_for_plan`: new and enqueued, or the one already being built."""
    return ask_for_plan(
        session,
        actor,
        service_on=service_on,
        depot_codes=depot_codes,
        settings=settings,
        enqueue_build=enqueue_build,
    ).plan


def ask_for_plan(
    session: Session,
    actor: Actor | None,
    *,
    service_on: date,
    depot_codes: list[str] | None,
    settings: Settings,
    enqueue_build: bool = True,
) -> PlanRequest:
    """Record a plan to build for the day (all depots, or the named post offices) and enqueue it,
    unless a plan of the day for exactly these post offices is queued or building: that one is
    answered, and nothing new is built. One in progress for some of them only is refused.

    A dispatcher plans their own post office only (the default when no depot is named).
    """
    from courier.outbox.service import enqueue

    depot_ids = _requested_depots(session, actor, service_on, depot_codes, settings)
    service.hold_offices(session, depot_ids)
    plan = service.in_progress(session, service_on, depot_ids, joinable=True)
    existing = plan is not None
    if plan is None:
        plan = Plan(
            service_on=service_on,
            depot_ids=depot_ids,
            status=PlanStatus.QUEUED,
            time_limit_s=settings.plan_part_seconds,
            created_by_id=actor.id if actor is not None and actor.kind == "user" else None,
        )
        session.add(plan)
        session.flush()
        if enqueue_build:
            enqueue(session, "planning.build", plan_id=plan.id)
    others = service.sharing_offices(
        session, plan.service_on, plan.depot_ids, (*service.IN_PROGRESS, *service.READY)
    )
    return PlanRequest(plan, existing, [p for p in others if p.id != plan.id])


def _requested_depots(
    session: Session,
    actor: Actor | None,
    service_on: date,
    depot_codes: list[str] | None,
    settings: Settings,
) -> list[int] | None:
    """The ids of the post offices to plan (None: all), or why the request is refused."""
    office = access.office_scope(actor) if actor is not None else None
    problems = []
    today = calendar.local_today(utcnow(), settings.zone)
    if service_on < today:
        problems.append(FieldProblem(("service_on",), PAST_DAY, "day_in_past"))
    elif too_far := calendar.beyond_horizon("service_on", service_on, today, PLAN_DAYS_AHEAD):
        problems += too_far
    elif not calendar.is_working_day(service_on):
        problems.append(FieldProblem(("service_on",), NOT_WORKING_DAY, "not_a_working_day"))
    depot_ids, unknown = _depots(session, depot_codes)
    if office is not None and set(depot_ids or ()) - {office}:
        raise PermissionDenied(OWN_OFFICE)
    if unknown:
        codes = {"codes": ", ".join(unknown)}
        problems.append(FieldProblem(("depots",), UNKNOWN_DEPOTS, "unknown_depot", codes))
    if problems:
        raise InvalidInput(problems)
    return [office] if office is not None else depot_ids


def _depots(session: Session, codes: list[str] | None) -> tuple[list[int] | None, list[str]]:
    """(ids of the named post offices, or None for all; the codes that name none)."""
    if not codes:
        return None, []
    found = dict(
        session.execute(
            select(Site.code, Site.id).where(
                Site.code.in_(codes), Site.kind == SiteKind.POST_OFFICE
            )
        ).all()
    )
    return sorted(set(found.values())), sorted(set(codes) - set(found))


def unplanned_offices(session: Session, service_on: date) -> list[Site]:
    """Post offices with couriers that no plan of the day (other than a failed one) covers."""
    covered: set[int] = set()
    for depot_ids in session.scalars(
        select(Plan.depot_ids).where(
            Plan.service_on == service_on, Plan.status != PlanStatus.FAILED
        )
    ):
        if depot_ids is None:
            return []
        covered.update(depot_ids)
    return [o for o in dispatch.offices_with_couriers(session) if o.id not in covered]


def rebuild(session: Session, plan_id: int, actor: Actor) -> Plan:
    """Send an unfinished or failed build again; solved parts are kept, the rest are solved."""
    from courier.outbox.service import enqueue

    plan = service.held_plan(session, plan_id, actor)
    if plan.status not in (*service.IN_PROGRESS, PlanStatus.FAILED):
        raise Conflict(NOTHING_TO_BUILD, params=service.status_params(plan))
    service.refuse_in_progress(session, plan, exclude=plan.id)
    if plan.status is PlanStatus.FAILED:  # in progress at once: a plan request meanwhile gets it
        plan.status, plan.error = PlanStatus.QUEUED, None
    enqueue(session, "planning.build", plan_id=plan.id)
    session.flush()
    return plan
