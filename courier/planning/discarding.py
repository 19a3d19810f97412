"""Discarding a plan a dispatcher does not want: a built (or failed) plan that was never published
is deleted with its parts, stops and locks.

No courier ever read such a plan and no job was assigned by it, so nothing outside its own rows
refers to it; deleting it (rather than marking it) keeps the day's list, `GET /plans` and the
one-build-per-office rule as they are, and a re-plan made from it keeps its stops, only losing the
link to its parent. A published or superseded plan is the record of what couriers were given and
is never discarded; a plan still being built is discarded once built.
"""

from datetime import date

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from courier.actors import Actor
from courier.errors import Conflict
from courier.planning import service
from courier.planning.models import Plan, PlanLock, PlanPart, PlanStatus, RouteStop
from courier.text import mark

PUBLISHED_KEPT = mark(
    "plan %(id)s was published: couriers were given its routes, so it is kept; build and publish "
    "a new plan instead"
)
STILL_BUILDING = mark("plan %(id)s is still being built; discard it once it is built")
DISCARDABLE = (PlanStatus.BUILT, PlanStatus.FAILED)


def discard(session: Session, plan_id: int, actor: Actor) -> date:
    """Delete a plan of the actor's office that was never published; its day."""
    service.hold_offices(session, service.visible_plan(session, plan_id, actor).depot_ids)
    plan = service.get_plan(session, plan_id, lock=True)
    if plan.status not in DISCARDABLE:
        kept = plan.status in (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)
        raise Conflict(
            PUBLISHED_KEPT if kept else STILL_BUILDING,
            code="plan_published" if kept else "plan_in_progress",
            params={"id": plan.id},
        )
    day = plan.service_on
    session.execute(update(Plan).where(Plan.parent_id == plan.id).values(parent_id=None))
    for model in (RouteStop, PlanLock, PlanPart):
        session.execute(delete(model).where(model.plan_id == plan.id))
    session.delete(plan)
    session.flush()
    return day
