"""The dispatcher's forms that change plans: build the day's plan, publish one, lock a stop to its
courier, move a dossier to another courier (re-planning at once if asked) and re-plan keeping the
locks and moves. Each is an Origin-checked POST that works without JavaScript and answers with the
day again, saying in the visitor's language what was done or why not; the plans service does the
work, as for the plans API.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import i18n, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.dispatch import DISPATCH, day_context, poster, today
from api.present import plans as shown
from api.schemas import Day, Id
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers.models import Job
from courier.errors import DomainError, InvalidInput
from courier.fleet.models import Courier
from courier.planning import changes, publishing, requesting, service
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
LOCKED = mark("Dossier %(code)s stays with courier %(courier)s in every re-plan of this plan.")
MOVED = mark(
    "Dossier %(code)s goes to courier %(courier)s at the next re-plan of this plan; re-plan to "
    "see it on the routes."
)
MOVED_REPLANNED = mark(
    "Dossier %(code)s goes to courier %(courier)s: plan %(id)s is being built with it, keeping "
    "every lock and move."
)
REPLANNED = mark("Plan %(id)s is being built from plan %(base)s, keeping every lock and move.")


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


def _done(
    request: Request,
    session: DbSession,
    actor: Actor,
    chosen: Plan,
    message: str,
    **values: object,
) -> HTMLResponse:
    """The chosen plan's day, saying in the visitor's language what was done."""
    done = i18n.gettext(i18n.language_of(request), message) % values
    context = day_context(request, session, actor, chosen.service_on, chosen.id)
    return web.render(request, "dispatch.html", done=done, **context)


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
        answer = shown.plan_request_out(session, asked, settings.zone, i18n.language_of(request))
        context = day_context(request, session, actor, on, asked.plan.id)
        return web.render(request, "dispatch.html", status_code=202, asked=answer, **context)

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
        where = f"{DISPATCH}?date={plan.service_on.isoformat()}&plan={plan.id}"
        return RedirectResponse(where, status_code=303)

    return _act(request, session, on, plan_id, published)


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
        return _done(request, session, actor, plan, LOCKED, **_named(session, lock))

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
            return _done(request, session, actor, plan, MOVED, **named)
        new = _replan(session, actor, plan_id, request.app.state.settings)
        return _done(request, session, actor, new, MOVED_REPLANNED, id=new.id, **named)

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
        return _done(request, session, actor, new, REPLANNED, id=new.id, base=plan_id)

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
