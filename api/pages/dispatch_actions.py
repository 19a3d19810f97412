"""The dispatcher's forms that change plans: build the day's plan, publish one, discard one never
published, lock a stop to its courier, move a dossier to another courier (re-planning at once if
asked) and re-plan keeping the locks and moves. Each is an Origin-checked POST that works without
JavaScript; done, it redirects (303) to the day showing the plan concerned, the query naming what
was done (`api.pages.dispatch.done_message` words it), so reloading the page sends nothing again;
refused, it answers with the day saying why, in the visitor's language. The plans service does the
work, as for the plans API.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import i18n, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.dispatch import DISPATCH, day_context, poster, today
from api.schemas import Day, Id
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers.models import Job
from courier.errors import DomainError, InvalidInput
from courier.fleet.models import Courier
from courier.planning import changes, discarding, publishing, requesting, service
from courier.planning.models import Plan, PlanLock
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
NOT_DONE = mark("That could not be done: %(reason)s")
# the plan service's field refusals, said to a dispatcher
FIELD_REFUSALS = {
    "job_id": mark(
        "that dossier is no longer waiting for its pickup, or is not of your post office"
    ),
    "courier_id": mark("that courier does not work at this plan's post office"),
    "position": mark("the courier's route has fewer stops than that place"),
}


def _reason(lang: str, exc: DomainError) -> str:
    """Why the plan service refused, in the visitor's language."""
    if isinstance(exc, InvalidInput) and exc.problems:
        return "; ".join(
            i18n.gettext(lang, FIELD_REFUSALS.get(str(p.loc[-1]), p.msg)) for p in exc.problems
        )
    reason = i18n.gettext(lang, exc.message)
    if exc.params:
        reason %= {
            k: i18n.gettext(lang, v) if isinstance(v, str) else v for k, v in exc.params.items()
        }
    return reason


def _not_done(
    request: Request,
    session: DbSession,
    actor: Actor,
    on: date,
    chosen: int | None,
    exc: DomainError,
) -> HTMLResponse:
    """The day again, saying in the visitor's language why the action was refused."""
    session.rollback()
    lang = i18n.language_of(request)
    error = i18n.gettext(lang, NOT_DONE) % {"reason": _reason(lang, exc)}
    context = day_context(request, session, actor, on, chosen)
    return web.render(request, "dispatch.html", status_code=409, error=error, **context)


def _done(on: date, plan_id: int | None, done: str, **values: object) -> RedirectResponse:
    """Back to the day showing the plan, saying what was done (POST, redirect, GET: a reload
    sends nothing twice)."""
    query = {"date": on.isoformat(), "plan": plan_id, "done": done, **values}
    kept = urlencode({k: v for k, v in query.items() if v is not None})
    return RedirectResponse(f"{DISPATCH}?{kept}", status_code=303)


def _act(
    request: Request,
    session: DbSession,
    on: date,
    plan_id: Id | None,
    action: Callable[[Actor], Response],
) -> Response:
    """A dispatcher's form, sent from this site: the action's page, or the day saying why not."""
    actor = poster(request, session, request.app.state.settings)
    if isinstance(actor, HTMLResponse):
        return actor
    try:
        return action(actor)
    except DomainError as exc:
        return _not_done(request, session, actor, on, plan_id, exc)


@router.post(DISPATCH + "plans", response_model=None)
def build(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    on: Annotated[Day, Form(alias="date")],
) -> Response:
    """Ask for the day's plan (of the dispatcher's office); say which others the day has."""

    def asked_for(actor: Actor) -> Response:
        asked = requesting.ask_for_plan(
            session, actor, service_on=on, depot_codes=None, settings=settings
        )
        return _done(on, asked.plan.id, "existing" if asked.existing else "asked")

    return _act(request, session, on, None, asked_for)


@router.post(DISPATCH + "plans/{plan_id}/publish", response_model=None)
def publish(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    plan_id: Id,
    on: Annotated[Day, Form(alias="date")],
) -> Response:
    """Publish a built plan: its couriers see their routes from now on."""

    def published(actor: Actor) -> Response:
        plan = publishing.publish(session, plan_id, actor, settings)
        return _done(plan.service_on, plan.id, "published", id=plan.id)

    return _act(request, session, on, plan_id, published)


@router.post(DISPATCH + "plans/{plan_id}/discard", response_model=None)
def discard(
    request: Request,
    session: DbSession,
    plan_id: Id,
    on: Annotated[Day, Form(alias="date")],
) -> Response:
    """Discard a plan of the office that was never published: it leaves the day's list."""

    def discarded(actor: Actor) -> Response:
        day = discarding.discard(session, plan_id, actor)
        return _done(day, None, "discarded", id=plan_id)

    return _act(request, session, on, plan_id, discarded)


@router.post(DISPATCH + "plans/{plan_id}/locks", response_model=None)
def lock_stop(
    request: Request,
    session: DbSession,
    plan_id: Id,
    on: Annotated[Day, Form(alias="date")],
    job_id: Annotated[Id, Form()],
    courier_id: Annotated[Id, Form()],
) -> Response:
    """Keep a stop's dossier on its courier in every re-plan of this plan."""

    def locked(actor: Actor) -> Response:
        lock = changes.lock(
            session, plan_id, actor, job_id=job_id, courier_id=courier_id, position=None
        )
        plan = service.get_plan(session, plan_id)
        return _done(plan.service_on, plan.id, "locked", **_named(session, lock))

    return _act(request, session, on, plan_id, locked)


@router.post(DISPATCH + "plans/{plan_id}/moves", response_model=None)
def move_job(
    request: Request,
    session: DbSession,
    plan_id: Id,
    on: Annotated[Day, Form(alias="date")],
    job_id: Annotated[Id, Form()],
    courier_id: Annotated[Id, Form()],
    replan: Annotated[bool, Form()] = False,
) -> Response:
    """Move a dossier to another courier; with `replan`, build the new plan with it at once."""

    def moved(actor: Actor) -> Response:
        lock = changes.lock(
            session, plan_id, actor, job_id=job_id, courier_id=courier_id, position=None
        )
        named = _named(session, lock)
        if not replan:
            plan = service.get_plan(session, plan_id)
            return _done(plan.service_on, plan.id, "moved", **named)
        new = _replan(session, actor, plan_id, request.app.state.settings)
        return _done(new.service_on, new.id, "moved_replanned", id=new.id, **named)

    return _act(request, session, on, plan_id, moved)


@router.post(DISPATCH + "plans/{plan_id}/replan", response_model=None)
def replan(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    plan_id: Id,
    on: Annotated[Day, Form(alias="date")],
) -> Response:
    """Build the plan again from now (the whole day before it starts), keeping locks and moves."""

    def replanned(actor: Actor) -> Response:
        new = _replan(session, actor, plan_id, settings)
        return _done(new.service_on, new.id, "replanned", id=new.id, base=plan_id)

    return _act(request, session, on, plan_id, replanned)


def _replan(session: DbSession, actor: Actor, plan_id: Id, settings: Settings) -> Plan:
    """A re-plan of the rest of the day, or of the whole day when it has not begun."""
    base = service.visible_plan(session, plan_id, actor)
    at = None if base.service_on > today(settings) else utcnow()
    return changes.replan(session, plan_id, actor, at=at, settings=settings)


def _named(session: DbSession, lock: PlanLock) -> dict[str, object]:
    """The dossier's code and the courier's, for saying what a lock or move did."""
    job = session.get(Job, lock.pickup_job_id)
    courier = session.get(Courier, lock.courier_id)
    return {
        "code": job.dossier.tracking_code if job else lock.pickup_job_id,
        "courier": courier.code if courier else lock.courier_id,
    }
