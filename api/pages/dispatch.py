"""«Ngày …» for dispatchers: the day's plans of their post office, building and publishing one,
and the chosen plan's routes per courier with the day's progress, in server-rendered pages.

Dispatchers sign in with the staff cookie of `api.signin` (an Origin check on every POST); only
dispatchers bound to a post office and admins are let in. The services are called directly, as
the plans API calls them. The map and locking, moving and re-planning stay in the API for now.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import i18n, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.account import REFUSED
from api.pages.staff_door import Door
from api.present import plans as shown
from api.ratelimit import public_limit
from courier import calendar
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers.models import JobKind, Leg
from courier.enums import Role
from courier.errors import DomainError
from courier.planning import listing, progress
from courier.planning import service as planning
from courier.planning.models import PlanStatus
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
DISPATCH = "/dispatch/"
ROLES = (Role.DISPATCHER, Role.ADMIN)
TITLE = mark("Dispatcher")
NOT_DISPATCHER = mark(
    "This page is for dispatchers of a post office and for admins; your account cannot open it."
)
NO_OFFICE = mark(
    "This dispatcher account is bound to no post office; an admin must bind it to one."
)
NOT_DONE = mark("That could not be done: %(reason)s")
ACTIONS = {
    (Leg.INBOUND, JobKind.PICKUP): mark("Collect dossier"),
    (Leg.INBOUND, JobKind.DELIVERY): mark("Hand dossier in"),
    (Leg.RETURN, JobKind.PICKUP): mark("Collect result"),
    (Leg.RETURN, JobKind.DELIVERY): mark("Deliver result"),
}
STATUSES = {
    PlanStatus.QUEUED: mark("Queued"),
    PlanStatus.BUILDING: mark("Building"),
    PlanStatus.BUILT: mark("Built, not published"),
    PlanStatus.FAILED: mark("Failed"),
    PlanStatus.PUBLISHED: mark("Published"),
    PlanStatus.SUPERSEDED: mark("Superseded"),
}
STOP_STATES = {"done": mark("Done"), "failed": mark("Failed"), "pending": mark("Pending")}
UNROUTED = {"dropped": mark("Left out by the plan"), "after_plan": mark("Booked after the plan")}
_READY = (PlanStatus.BUILT, PlanStatus.PUBLISHED)
_PDF = {"Cache-Control": "private, no-store"}


@dataclass(frozen=True, slots=True)
class Route:
    """One courier's route in the shown plan: their progress and their stops in order."""

    courier: progress.CourierProgress
    stops: list[tuple[listing.PlanStop, progress.StopProgress | None]]


DOOR = Door(DISPATCH, "dispatch_login.html", ROLES, TITLE, NOT_DISPATCHER)


def _refused(request: Request, message: str, status_code: int = 403) -> HTMLResponse:
    return DOOR.refused(request, message, status_code)


def _dispatcher(request: Request, session: DbSession, settings: Settings) -> Actor | HTMLResponse:
    """The signed-in dispatcher or admin as an actor, or the page to answer instead."""
    user = signin.signed_in_user(request, session, settings, signin.STAFF_COOKIE)
    if user is None:
        return web.render(request, "dispatch_login.html")
    if user.role not in ROLES:
        return _refused(request, NOT_DISPATCHER)
    if user.role is Role.DISPATCHER and user.site_id is None:
        return _refused(request, NO_OFFICE)
    return accounts.actor_for_user(session, user)


def _today(settings: Settings) -> date:
    return calendar.local_today(utcnow(), settings.zone)


def _origin_refused(request: Request, settings: Settings) -> HTMLResponse | None:
    try:
        signin.check_origin(request, settings)
    except signin.ForeignOrigin:
        return _refused(request, REFUSED)
    return None


@router.get(DISPATCH, response_class=HTMLResponse)
def day_page(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    on: Annotated[date | None, Query(alias="date")] = None,
    plan: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """The sign-in form, or the day of the dispatcher's post office."""
    actor = _dispatcher(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    context = _day(session, settings, actor, on or _today(settings), plan)
    return web.render(request, "dispatch.html", **context)


def _day(
    session: DbSession, settings: Settings, actor: Actor, on: date, chosen: int | None
) -> dict[str, Any]:
    """The day's plans, and the chosen (else published, else latest built) plan's routes."""
    plans = listing.list_plans(session, actor, service_on=on, depot_code=None)
    picked = _pick(plans, chosen)
    context: dict[str, Any] = {
        "user": session.get(User, actor.id),
        "on": on,
        "plans": plans,
        "shown": picked,
        "routes": [],
        "unrouted": [],
        "statuses": STATUSES,
        "actions": ACTIONS,
        "stop_states": STOP_STATES,
        "unrouted_reasons": UNROUTED,
        "refresh": f"{DISPATCH}?date={on.isoformat()}"
        + (f"&plan={picked.plan.id}" if picked else ""),
    }
    if picked is not None and picked.plan.status in _READY:
        found = progress.plan_progress(
            session,
            picked.plan,
            now=utcnow(),
            tolerance=timedelta(minutes=settings.plan_late_minutes),
            zone=settings.zone,
        )
        context["routes"] = _routes(session, found)
        context["unrouted"] = found.unrouted
    return context


def _pick(plans: list[listing.PlanListing], chosen: int | None) -> listing.PlanListing | None:
    """The plan asked for, else the published one, else the latest built, else the latest."""
    for found in (
        [p for p in plans if p.plan.id == chosen],
        [p for p in plans if p.published],
        [p for p in plans if p.plan.status is PlanStatus.BUILT],
        plans,
    ):
        if found:
            return found[-1]
    return None


def _routes(session: DbSession, found: progress.PlanProgress) -> list[Route]:
    """Each courier's progress with their stops in order and how each one stands."""
    states = {s.job_id: s for s in found.stops}
    stops = listing.plan_stops(session, found.plan.id)
    return [
        Route(
            courier=c,
            stops=[(s, states.get(s.job.id)) for s in stops if s.stop.courier_id == c.courier_id],
        )
        for c in found.couriers
    ]


def _poster(request: Request, session: DbSession, settings: Settings) -> Actor | HTMLResponse:
    """The dispatcher sending a form from this site's own page, or the page to answer instead."""
    actor = _dispatcher(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    return _origin_refused(request, settings) or actor


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
    reason = i18n.gettext(lang, exc.message)
    if exc.params:
        reason %= {
            k: i18n.gettext(lang, v) if isinstance(v, str) else v for k, v in exc.params.items()
        }
    error = i18n.gettext(lang, NOT_DONE) % {"reason": reason}
    context = _day(session, request.app.state.settings, actor, on, chosen)
    return web.render(request, "dispatch.html", status_code=409, error=error, **context)


@router.post(DISPATCH + "plans", response_class=HTMLResponse)
def build(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    on: Annotated[date, Form(alias="date")],
) -> HTMLResponse:
    """Ask for the day's plan (of the dispatcher's office); say which others the day has."""
    actor = _poster(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    try:
        asked = planning.ask_for_plan(
            session, actor, service_on=on, depot_codes=None, settings=settings
        )
    except DomainError as exc:
        return _not_done(request, session, actor, on, None, exc)
    answer = shown.plan_request_out(session, asked, settings.zone, i18n.language_of(request))
    context = _day(session, settings, actor, on, asked.plan.id)
    return web.render(request, "dispatch.html", status_code=202, asked=answer, **context)


@router.post(DISPATCH + "plans/{plan_id}/publish", response_model=None)
def publish(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    plan_id: int,
    on: Annotated[date, Form(alias="date")],
) -> Response:
    """Publish a built plan: its couriers see their routes from now on."""
    actor = _poster(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    try:
        plan = planning.publish(session, plan_id, actor, settings)
    except DomainError as exc:
        return _not_done(request, session, actor, on, plan_id, exc)
    where = f"{DISPATCH}?date={plan.service_on.isoformat()}&plan={plan.id}"
    return RedirectResponse(where, status_code=303)


@router.get(DISPATCH + "plans/{plan_id}/sheets/{courier_id}.pdf", response_model=None)
def sheet(
    request: Request, session: DbSession, settings: SettingsDep, plan_id: int, courier_id: int
) -> Response:
    """A courier's printable route sheet of the plan, for the signed-in dispatcher."""
    actor = _dispatcher(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    pdf = planning.sheet_for_dispatcher(session, plan_id, courier_id, actor, settings.zone)
    return Response(pdf, media_type="application/pdf", headers=_PDF)


@router.post(DISPATCH + "login", response_class=HTMLResponse, dependencies=[Depends(public_limit)])
def login(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; only dispatchers and admins are let in."""
    return DOOR.login(request, session, settings, username, password)


@router.post(DISPATCH + "logout", response_model=None)
def logout(request: Request, settings: SettingsDep) -> Response:
    """Forget the dispatcher in this browser."""
    return DOOR.logout(request, settings)
