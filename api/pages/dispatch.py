"""«Ngày …» for dispatchers: the day's plans of their post office, building and publishing one,
and the chosen plan's routes per courier with the day's progress, in server-rendered pages.

Dispatchers sign in with the staff cookie of `api.signin` (an Origin check on every POST); only
dispatchers bound to a post office and admins are let in. The services are called directly, as
the plans API calls them; the forms that change plans (build, publish, lock, move, re-plan) are in
`api.pages.dispatch_actions`. The plan is also drawn on a map (`api.present.dispatch_map`, JSON
in the page) that needs no map tiles.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api import i18n, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.account import REFUSED
from api.pages.staff_door import Door
from api.present import dispatch_map
from api.ratelimit import public_limit
from api.reads import ReadLog
from api.schemas import Day, Id
from courier import access, calendar
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers.models import Dossier, Job, JobKind, Leg
from courier.enums import Role
from courier.fleet import service as fleet
from courier.fleet.models import Courier
from courier.planning import changes, listing, live, printing, progress, routes, service, sheets
from courier.planning.models import Plan, PlanLock, PlanStatus
from courier.privacy.reads import DataKind
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
ACTIONS = {
    (Leg.INBOUND, JobKind.PICKUP): mark("Collect dossier"),
    (Leg.INBOUND, JobKind.DELIVERY): mark("Hand dossier in"),
    (Leg.RETURN, JobKind.PICKUP): mark("Collect result"),
    (Leg.RETURN, JobKind.DELIVERY): mark("Deliver result"),
    (Leg.RELAY, JobKind.PICKUP): mark("Collect at the post office"),
    (Leg.RELAY, JobKind.DELIVERY): mark("Hand dossier in"),
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
LAST_SEEN = mark("Courier %(code)s, last seen at %(time)s")
# what a form did, named by the redirect's query (`done`) and worded on the day it leads to
DONE = {
    "published": mark("Plan %(id)s is published: its couriers see their routes from now on."),
    "discarded": mark("Plan %(id)s was discarded."),
    "locked": mark(
        "Dossier %(code)s stays with courier %(courier)s in every re-plan of this plan."
    ),
    "moved": mark(
        "Dossier %(code)s goes to courier %(courier)s at the next re-plan of this plan; re-plan to "
        "see it on the routes."
    ),
    "moved_replanned": mark(
        "Dossier %(code)s goes to courier %(courier)s: plan %(id)s is being built with it, keeping "
        "every lock and move."
    ),
    "replanned": mark(
        "Plan %(id)s is being built from plan %(base)s, keeping every lock and move."
    ),
}
# a build asked for: said in the live part, following the plan's state
BUILDS = ("asked", "existing")
ShortText = Annotated[str, Query(max_length=40)]
_READY = (PlanStatus.BUILT, PlanStatus.PUBLISHED)
_PDF = {"Cache-Control": "private, no-store"}
WINDOW_DASH = "–"  # a window's ends on the page, as "13:30–17:00" (`sheets.window_text`)


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


def today(settings: Settings) -> date:
    """Today in the service's zone."""
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
    on: Annotated[Day | None, Query(alias="date")] = None,
    plan: Annotated[Id | None, Query()] = None,
    done: ShortText = "",
    id: ShortText = "",
    base: ShortText = "",
    code: ShortText = "",
    courier: ShortText = "",
) -> HTMLResponse:
    """The sign-in form, or the day of the dispatcher's post office (saying what a form did)."""
    actor = _dispatcher(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    built = done if done in BUILDS else ""
    context = day_context(request, session, actor, on or today(settings), plan, built)
    said = {"id": id, "base": base, "code": code, "courier": courier}
    if not _happened(session, actor, done, plan, said):
        done = ""  # a link naming something that did not happen says nothing
    return web.render(request, "dispatch.html", done=done_message(request, done, said), **context)


def done_message(request: Request, done: str, values: dict[str, str]) -> str:
    """The sentence confirming what a form just did, in the visitor's language (or none)."""
    if done not in DONE:
        return ""
    return web.translator(request)(DONE[done]) % values


def _happened(
    session: DbSession, actor: Actor, done: str, plan_id: int | None, said: dict[str, str]
) -> bool:
    """True when the database shows what the redirect's query says was done: the banner is
    written from the query, so a crafted link must not tell a dispatcher of a thing that did not
    happen. A discarded plan is gone, and whose it was is not known any more: it is only checked
    to exist no longer (the sentence names no office)."""
    if done not in DONE:
        return True  # nothing is said
    ids = {k: int(v) for k, v in said.items() if k in ("id", "base") and v.isdigit()}
    if done == "discarded":
        return "id" in ids and session.get(Plan, ids["id"]) is None
    office = access.office_scope(actor)
    if done in ("locked", "moved"):
        return _locked(session, office, plan_id, said)
    shown = session.get(Plan, ids["id"]) if "id" in ids else None
    if shown is None or not service.shown_to(shown, office):
        return False
    if done == "published":
        return shown.status is PlanStatus.PUBLISHED
    if done == "replanned":
        return shown.parent_id is not None and shown.parent_id == ids.get("base")
    return _locked(session, office, shown.id, said)  # moved_replanned: the new plan keeps it


def _locked(
    session: DbSession, office: int | None, plan_id: int | None, said: dict[str, str]
) -> bool:
    """True when the plan (one the reader sees) keeps the named dossier on the named courier."""
    plan = session.get(Plan, plan_id) if plan_id is not None else None
    if plan is None or not service.shown_to(plan, office):
        return False
    found = session.scalar(
        select(PlanLock.id)
        .join(Job, Job.id == PlanLock.pickup_job_id)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .join(Courier, Courier.id == PlanLock.courier_id)
        .where(
            PlanLock.plan_id == plan.id,
            Dossier.tracking_code == said["code"],
            Courier.code == said["courier"],
        )
    )
    return found is not None


def day_context(
    request: Request,
    session: DbSession,
    actor: Actor,
    on: date,
    chosen: int | None,
    built: str = "",
) -> dict[str, Any]:
    """The day's plans, and the chosen (else published, else latest built) plan's routes; with
    `built` ("asked" or "existing"), the chosen plan was just asked for and the live part says how
    its build stands."""
    plans = listing.list_plans(session, actor, service_on=on, depot_code=None)
    picked = _pick(plans, chosen)
    asked = picked if built and picked is not None and picked.plan.id == chosen else None
    context: dict[str, Any] = {
        "user": session.get(User, actor.id),
        "on": on,
        "plans": plans,
        "shown": picked,
        "routes": [],
        "unrouted": [],
        "statuses": STATUSES,
        "actions": ACTIONS,
        "held": dispatch_map.HELD,
        "stop_states": STOP_STATES,
        "unrouted_reasons": UNROUTED,
        "refresh": f"{DISPATCH}?date={on.isoformat()}"
        + (f"&plan={picked.plan.id}" if picked else "")
        + (f"&done={built}" if asked else ""),
        "asked": asked,
        "asked_existing": built == "existing",
        "others": [p for p in plans if asked and p.plan.id != asked.plan.id],
        "newer_than": _newer(plans),
        "window": lambda start, end: sheets.window_text(
            (start, end), on, request.app.state.settings.zone, WINDOW_DASH
        ),
        "stop_window": lambda stop: _stop_window(stop, on, request.app.state.settings.zone),
    }
    context["live"] = _live_day(request, session, actor, on)
    if picked is not None and picked.plan.status in _READY:
        context.update(_shown_plan(request, session, actor, picked))
    return context


def _stop_window(stop: listing.PlanStop, on: date, zone: ZoneInfo) -> str:
    """A plan stop's window as the API, the courier's app and the route sheet give it
    (`routes.stop_window`): the post office's hours for a dossier held there overnight."""
    window = routes.stop_window(stop.job, stop.held_at, on, zone)
    return sheets.window_text(window, on, zone, WINDOW_DASH)


def _live_day(request: Request, session: DbSession, actor: Actor, on: date) -> live.LiveDay:
    """The office's couriers' day, plan or not, and the jobs no courier has (logged as read)."""
    settings: Settings = request.app.state.settings
    found = live.office_day(
        session,
        access.office_scope(actor),
        on,
        now=utcnow(),
        tolerance=timedelta(minutes=settings.plan_late_minutes),
        zone=settings.zone,
    )
    ReadLog(session, request).ids(
        actor, DataKind.PLAN_STOPS, [j.dossier_id for j in found.unassigned]
    )
    return found


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
    shown = [stop.job.dossier_id for r in routes for stop, _state in r.stops]
    shown += [u.dossier.id for u in found.unrouted]
    ReadLog(session, request).ids(actor, DataKind.PLAN_STOPS, shown)
    locks = {
        lock.pickup_job_id: lock.courier_id for lock in changes.locks_of(session, picked.plan.id)
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


def _newer(plans: list[listing.PlanListing]) -> dict[int, int]:
    """For each plan, the newest plan of the day for the same post offices asked for after it (a
    failed one aside): an admin sees every office's plans, and another office's is not newer."""
    alive = [p for p in plans if p.plan.status is not PlanStatus.FAILED]
    newer: dict[int, int] = {}
    for p in plans:
        later = [a.plan.id for a in alive if a.plan.id > p.plan.id and _same_offices(a, p)]
        if later:
            newer[p.plan.id] = max(later)
    return newer


def _same_offices(one: listing.PlanListing, other: listing.PlanListing) -> bool:
    """True when both plans are for the same post offices (None: all of them)."""
    first, second = one.plan.depot_ids, other.plan.depot_ids
    if first is None or second is None:
        return first is second
    return sorted(first) == sorted(second)


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


def poster(request: Request, session: DbSession, settings: Settings) -> Actor | HTMLResponse:
    """The dispatcher sending a form from this site's own page, or the page to answer instead."""
    actor = _dispatcher(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    return _origin_refused(request, settings) or actor


@router.get(DISPATCH + "plans/{plan_id}/sheets/{courier_id}.pdf", response_model=None)
def sheet(
    request: Request, session: DbSession, settings: SettingsDep, plan_id: Id, courier_id: Id
) -> Response:
    """A courier's printable route sheet of the plan, for the signed-in dispatcher."""
    actor = _dispatcher(request, session, settings)
    if isinstance(actor, HTMLResponse):
        return actor
    pdf = printing.sheet_for_dispatcher(session, plan_id, courier_id, actor, settings.zone)
    shown = listing.dossier_ids(session, plan_id, courier_id)
    ReadLog(session, request).ids(actor, DataKind.ROUTE_SHEET, shown)
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
