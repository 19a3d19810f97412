"""«Ngày …» for dispatchers: the day's plans of their post office, building and publishing one,
and the chosen plan's routes per courier with the day's progress, in server-rendered pages.

Dispatchers sign in with the staff cookie of `api.signin` (an Origin check on every POST); only
dispatchers bound to a post office and admins are let in. The services are called directly, as
the plans API calls them: building, publishing, locking a stop to its courier, moving a dossier
to another courier and re-planning (keeping the locks), each a plain form. The plan is also drawn
on a map (`api.present.dispatch_map`, JSON in the page) that needs no map tiles.
"""

from collections.abc import Callable
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
from api.present import dispatch_map
from api.present import plans as shown
from api.ratelimit import public_limit
from courier import calendar
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers.models import Job, JobKind, Leg
from courier.enums import Role
from courier.errors import DomainError, InvalidInput
from courier.fleet import service as fleet
from courier.fleet.models import Courier
from courier.planning import listing, progress
from courier.planning import service as planning
from courier.planning.models import Plan, PlanLock, PlanStatus
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
LAST_SEEN = mark("Courier %(code)s, last seen at %(time)s")
REPLANNED = mark("Plan %(id)s is being built from plan %(base)s, keeping every lock and move.")
_READY = (PlanStatus.BUILT, PlanStatus.PUBLISHED)
_PDF = {"Cache-Control": "private, no-store"}


@dataclass(frozen=True, slots=True)
class Route:
    """One courier's route in the shown plan: their progress and their stops in order."""

    courier: progress.CourierProgress
    stops: list[tuple[listing.PlanStop, progress.StopProgress | None]]
    colour: int


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
    context = _day(request, session, actor, on or _today(settings), plan)
    return web.render(request, "dispatch.html", **context)


def _day(
    request: Request, session: DbSession, actor: Actor, on: date, chosen: int | None
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
        context.update(_shown_plan(request, session, actor, picked))
    return context


def _shown_plan(
    request: Request, session: DbSession, actor: Actor, picked: listing.PlanListing
) -> dict[str, Any]:
    """A built plan's routes with their progress, locks and moves, and its map."""
    settings: Settings = request.app.state.settings
    found = progress.plan_progress(
        session,
        picked.plan,
        now=utcnow(),
        tolerance=timedelta(minutes=settings.plan_late_minutes),
        zone=settings.zone,
    )
    couriers = [
        c
        for c in fleet.list_couriers(session, actor)
        if picked.plan.depot_ids is None or c.home_post_office_id in picked.plan.depot_ids
    ]
    routes = _routes(session, found)
    locks = {
        lock.pickup_job_id: lock.courier_id for lock in planning.locks_of(session, picked.plan.id)
    }
    moved = {
        stop.job.id: locks[stop.job.id]
        for r in routes
        for stop, _state in r.stops
        if locks.get(stop.job.id, stop.stop.courier_id) != stop.stop.courier_id
    }
    return {
        "routes": routes,
        "unrouted": found.unrouted,
        "movable": _movable(routes, found.unrouted),
        "couriers": couriers,
        "locks": locks,
        "moved": moved,
        "courier_codes": {c.id: c.code for c in couriers},
        "map_data": _map(request, routes, couriers, moved),
    }


def _map(
    request: Request, routes: list["Route"], couriers: list[Courier], moved: dict[int, int]
) -> dict[str, Any]:
    """The plan's map data in the visitor's language."""
    _ = web.translator(request)
    offices = {c.id: c.home_post_office for c in couriers}
    return dispatch_map.plan_map(
        [
            dispatch_map.MapRoute(
                courier_id=r.courier.courier_id,
                title=_("Courier %(code)s") % {"code": r.courier.courier_code},
                office=offices.get(r.courier.courier_id),
                stops=[stop for stop, _state in r.stops],
                seen=_seen(request, r.courier),
            )
            for r in routes
        ],
        moved=moved,
        gettext=_,
        actions=ACTIONS,
        lang=i18n.language_of(request),
    )


def _movable(
    routes: list["Route"], unrouted: list[progress.Unrouted]
) -> list[tuple[int, str, str | None]]:
    """The pickups still to do that a move may send elsewhere: (job, code, courier or None)."""
    routed = [
        (stop.job.id, stop.tracking_code, r.courier.courier_code)
        for r in routes
        for stop, state in r.stops
        if stop.job.kind is JobKind.PICKUP and (state is None or state.status == "pending")
    ]
    return routed + [(u.job.id, u.dossier.tracking_code, None) for u in unrouted]


def _seen(request: Request, courier: progress.CourierProgress) -> tuple[float, float, str] | None:
    """Where and when the courier was last seen, worded for the map."""
    seen = courier.last_position
    if seen is None:
        return None
    lang = i18n.language_of(request)
    clock = i18n.clock(seen.at, request.app.state.settings.zone, lang)
    words = i18n.gettext(lang, LAST_SEEN) % {"code": courier.courier_code, "time": clock}
    return (seen.lat, seen.lon, words)


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
            colour=dispatch_map.colour(index),
        )
        for index, c in enumerate(found.couriers)
    ]


def _poster(request: Request, session: DbSession, settings: Settings) -> Actor | HTMLResponse:
    """The dispatcher sending a form from this site's own page, or the page to answer instead."""
    actor = _dispatcher(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    return _origin_refused(request, settings) or actor


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
    context = _day(request, session, actor, on, chosen)
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
    context = _day(request, session, actor, chosen.service_on, chosen.id)
    return web.render(request, "dispatch.html", done=done, **context)


def _act(
    request: Request,
    session: DbSession,
    on: date,
    plan_id: int | None,
    action: Callable[[Actor], Response],
) -> Response:
    """A dispatcher's form, sent from this site: the action's page, or the day saying why not."""
    actor = _poster(request, session, request.app.state.settings)
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
    on: Annotated[date, Form(alias="date")],
) -> Response:
    """Ask for the day's plan (of the dispatcher's office); say which others the day has."""

    def asked_for(actor: Actor) -> Response:
        asked = planning.ask_for_plan(
            session, actor, service_on=on, depot_codes=None, settings=settings
        )
        answer = shown.plan_request_out(session, asked, settings.zone, i18n.language_of(request))
        context = _day(request, session, actor, on, asked.plan.id)
        return web.render(request, "dispatch.html", status_code=202, asked=answer, **context)

    return _act(request, session, on, None, asked_for)


@router.post(DISPATCH + "plans/{plan_id}/publish", response_model=None)
def publish(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    plan_id: int,
    on: Annotated[date, Form(alias="date")],
) -> Response:
    """Publish a built plan: its couriers see their routes from now on."""

    def published(actor: Actor) -> Response:
        plan = planning.publish(session, plan_id, actor, settings)
        where = f"{DISPATCH}?date={plan.service_on.isoformat()}&plan={plan.id}"
        return RedirectResponse(where, status_code=303)

    return _act(request, session, on, plan_id, published)


@router.post(DISPATCH + "plans/{plan_id}/locks", response_model=None)
def lock_stop(
    request: Request,
    session: DbSession,
    plan_id: int,
    on: Annotated[date, Form(alias="date")],
    job_id: Annotated[int, Form()],
    courier_id: Annotated[int, Form()],
) -> Response:
    """Keep a stop's dossier on its courier in every re-plan of this plan."""

    def locked(actor: Actor) -> Response:
        lock = planning.lock(
            session, plan_id, actor, job_id=job_id, courier_id=courier_id, position=None
        )
        plan = planning.get_plan(session, plan_id)
        return _done(request, session, actor, plan, LOCKED, **_named(session, lock))

    return _act(request, session, on, plan_id, locked)


@router.post(DISPATCH + "plans/{plan_id}/moves", response_model=None)
def move_job(
    request: Request,
    session: DbSession,
    plan_id: int,
    on: Annotated[date, Form(alias="date")],
    job_id: Annotated[int, Form()],
    courier_id: Annotated[int, Form()],
    replan: Annotated[bool, Form()] = False,
) -> Response:
    """Move a dossier to another courier; with `replan`, build the new plan with it at once."""

    def moved(actor: Actor) -> Response:
        lock = planning.lock(
            session, plan_id, actor, job_id=job_id, courier_id=courier_id, position=None
        )
        named = _named(session, lock)
        if not replan:
            plan = planning.get_plan(session, plan_id)
            return _done(request, session, actor, plan, MOVED, **named)
        new = _replan(session, actor, plan_id, request.app.state.settings)
        return _done(request, session, actor, new, MOVED_REPLANNED, id=new.id, **named)

    return _act(request, session, on, plan_id, moved)


@router.post(DISPATCH + "plans/{plan_id}/replan", response_model=None)
def replan(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    plan_id: int,
    on: Annotated[date, Form(alias="date")],
) -> Response:
    """Build the plan again from now (the whole day before it starts), keeping locks and moves."""

    def replanned(actor: Actor) -> Response:
        new = _replan(session, actor, plan_id, settings)
        return _done(request, session, actor, new, REPLANNED, id=new.id, base=plan_id)

    return _act(request, session, on, plan_id, replanned)


def _replan(session: DbSession, actor: Actor, plan_id: int, settings: Settings) -> Plan:
    """A re-plan of the rest of the day, or of the whole day when it has not begun."""
    base = planning.visible_plan(session, plan_id, actor)
    at = None if base.service_on > _today(settings) else utcnow()
    return planning.replan(session, plan_id, actor, at=at, settings=settings)


def _named(session: DbSession, lock: PlanLock) -> dict[str, object]:
    """The dossier's code and the courier's, for saying what a lock or move did."""
    job = session.get(Job, lock.pickup_job_id)
    courier = session.get(Courier, lock.courier_id)
    return {
        "code": job.dossier.tracking_code if job else lock.pickup_job_id,
        "courier": courier.code if courier else lock.courier_id,
    }


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
