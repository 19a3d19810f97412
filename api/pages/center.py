"""«Hôm nay tại …»: a center's staff see the dossiers coming to their counter, waiting, in
processing, overdue, ready and returned today, with filters, in one server-rendered page.

Staff sign in as citizens do on /me (`api.signin`, a signed session cookie and an Origin check on
every POST) but with a cookie of their own, which /me never reads; only center staff and admins
(who choose a center) are let in. The page holds applicants' names and phones: never stored.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import i18n, present, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.account import REFUSED
from api.pages.staff_door import Door
from api.ratelimit import public_limit
from api.reads import ReadLog
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.actors import Actor
from courier.catalogue import service as catalogue
from courier.catalogue.models import Site
from courier.dossiers import actions, listing, phones, today
from courier.dossiers.models import DossierStatus
from courier.enums import Role, SiteKind
from courier.errors import InvalidInput
from courier.privacy.reads import DataKind
from courier.proofs.kinds import PostponementReason
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
STAFF_ROLES = (Role.CENTER_STAFF, Role.ADMIN)
CENTER = "/center/"
TITLE = mark("Center staff")
NOT_STAFF = mark(
    "This page is for the staff of a public service center and for admins; "
    "your account cannot open it."
)
NO_SITE = mark("This staff account is bound to no center; an admin must bind it to one.")
ShortText = Annotated[str, Query(max_length=40)]


DOOR = Door(CENTER, "center_login.html", STAFF_ROLES, TITLE, NOT_STAFF)


def _refused(request: Request, message: str, status_code: int = 403) -> HTMLResponse:
    return DOOR.refused(request, message, status_code)


def _staff(request: Request, session: DbSession, settings: Settings) -> User | None:
    return signin.signed_in_user(request, session, settings, signin.STAFF_COOKIE)


def _site(session: DbSession, user: User, code: str) -> Site | None:
    """The center the page shows: the staff member's own, or the one an admin chose."""
    if user.role is Role.ADMIN:
        return catalogue.get_site(session, code) if code else None
    return session.get(Site, user.site_id) if user.site_id is not None else None


def _centers(session: DbSession) -> list[Site]:
    """The centers an admin may choose from."""
    kinds = (SiteKind.PROVINCIAL_CENTER, SiteKind.BRANCH, SiteKind.RECEPTION_POINT)
    return [s for kind in kinds for s in catalogue.list_sites(session, kind=kind)]


@dataclass(frozen=True, slots=True)
class Clerk:
    """The signed-in staff member (or admin), as an actor, and the center the page is about."""

    user: User
    actor: Actor
    center: Site | None


def clerk(request: Request, session: DbSession, settings: Settings, site: str) -> Clerk | Response:
    """Who is at the screen and for which center; else the sign-in form or a refusal to answer."""
    user = _staff(request, session, settings)
    if user is None:
        status = 200 if request.method == "GET" else 401
        return web.render(request, "center_login.html", status_code=status)
    if user.role not in STAFF_ROLES:
        return _refused(request, NOT_STAFF)
    center = _site(session, user, site)
    if user.role is not Role.ADMIN and center is None:
        return _refused(request, NO_SITE)
    return Clerk(user, accounts.actor_for_user(session, user), center)


def poster(request: Request, session: DbSession, settings: Settings, site: str) -> Clerk | Response:
    """The clerk sending a form from this site's own page, or the page to answer instead."""
    try:
        signin.check_origin(request, settings)
    except signin.ForeignOrigin:
        return _refused(request, REFUSED)
    return clerk(request, session, settings, site)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the visitor narrowed the day to (the center an admin chose included)."""

    site: str = ""
    q: str = ""
    procedure: str = ""
    status: str = ""
    courier: str = ""
    post_office: str = ""
    due_from: str = ""
    due_to: str = ""


@router.get(CENTER, response_class=HTMLResponse)
def center_today(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    site: ShortText = "",
    q: ShortText = "",
    procedure: ShortText = "",
    status: ShortText = "",
    courier: ShortText = "",
    post_office: ShortText = "",
    due_from: ShortText = "",
    due_to: ShortText = "",
    section: ShortText = "",
    after: Annotated[str, Query(max_length=200)] = "",
    done: ShortText = "",
    code: ShortText = "",
) -> Response:
    """The sign-in form, or the day at the staff member's center."""
    who = clerk(request, session, settings, site)
    if not isinstance(who, Clerk):
        return who
    filters = Filters(site, q, procedure, status, courier, post_office, due_from, due_to)
    context = today_context(request, session, who, filters, section, after)
    return web.render(request, "center.html", done=done_message(request, done, code), **context)


def today_context(
    request: Request,
    session: DbSession,
    who: Clerk,
    filters: Filters,
    only: str = "",
    after: str = "",
) -> dict[str, Any]:
    """What center.html shows: the day's sections at the clerk's center, filtered."""
    settings: Settings = request.app.state.settings
    center = who.center
    due_from, due_to = _day(filters.due_from), _day(filters.due_to)
    wanted = listing.DossierFilter(
        site=center.code if center else None,
        q=filters.q or None,
        procedure=filters.procedure or None,
        statuses=tuple(s for s in DossierStatus if s.value == filters.status),
        courier=filters.courier.strip().upper() or None,
        post_office=filters.post_office or None,
        due_from=due_from,
        due_to=due_to,
    )
    today_on = datetime.now(settings.zone).date()
    lang = i18n.language_of(request)
    bad_day = (filters.due_from and due_from is None) or (filters.due_to and due_to is None)
    context: dict[str, Any] = {
        "filter_error": web.translator(request)(BAD_DAY) if bad_day else "",
        "offices": catalogue.list_sites(session, kind=SiteKind.POST_OFFICE),
        "user": who.user,
        "center": center,
        "centers": _centers(session) if who.user.role is Role.ADMIN else [],
        "filters": asdict(filters),
        "procedures": catalogue.list_procedures(session),
        "statuses": list(DossierStatus),
        "sections": [],
        "labels": labels(lang),
        "phone": phones.national,
        "today": today_on,
        "reasons": [(r.value, present.postponement_label(r, lang)) for r in PostponementReason],
        # a row's first acceptable new result date (the date input offers no earlier one)
        "earliest_postpone": partial(actions.earliest_new_due_on, today=today_on),
    }
    if center is not None:
        try:
            context["sections"] = _sections(request, session, who.actor, wanted, only, after)
        except InvalidInput:
            context["sections"] = _sections(request, session, who.actor, wanted, only, "")
    shown = (row.id for found in context["sections"] for row in found.page.rows)
    ReadLog(session, request).ids(who.actor, DataKind.DOSSIER_LIST, shown)
    return context


BAD_DAY = mark("A due date is not a date (day/month/year); it was left out of the filter.")


def _day(text: str) -> date | None:
    """A date from the filter's field (ISO, as a date input sends it), or None."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


DONE = {
    "processing": mark("Dossier %(code)s: processing started."),
    "ready": mark("Dossier %(code)s: the result is ready."),
    "postponed": mark("Dossier %(code)s: the result date was moved."),
}


def done_message(request: Request, done: str, code: str) -> str:
    """The sentence confirming the action just done, in the visitor's language (or none)."""
    if done not in DONE or not code:
        return ""
    return web.translator(request)(DONE[done]) % {"code": code}


def _sections(
    request: Request,
    session: DbSession,
    actor: Actor,
    wanted: listing.DossierFilter,
    only: str,
    after: str,
) -> list[today.SectionPage]:
    """The page's sections (one, from a cursor, when its "more" link was followed)."""
    settings: Settings = request.app.state.settings
    now = datetime.now(settings.zone)
    since = datetime.combine(now.date(), time(0), settings.zone)
    found = []
    for section in today.SECTIONS:
        if only and section.key != only:
            continue
        cursor = after if only and after else None
        page = today.section_page(
            session, actor, section, wanted, today=now.date(), since=since, cursor=cursor
        )
        if page is not None:
            found.append(page)
    return found


def labels(lang: str) -> dict[DossierStatus, str]:
    """Each status as the timeline names it."""
    return {s: present.status_label(s, lang) for s in DossierStatus}


@router.post(CENTER + "login", response_class=HTMLResponse, dependencies=[Depends(public_limit)])
def login(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; only center staff and admins are let in."""
    return DOOR.login(request, session, settings, username, password)


@router.post(CENTER + "logout")
def logout(request: Request, settings: SettingsDep) -> Response:
    """Forget the staff member in this browser."""
    return DOOR.logout(request, settings)
