"""«Hồ sơ của tôi»: citizen and enterprise accounts sign in, list their own dossiers, open each.

Signing in sets a signed session cookie (`api.signin`); every POST checks its Origin (CSRF).
Staff accounts are sent to their own screens, and a failed sign-in never says whether the
username exists. Every page here holds personal data: none is stored by a browser or a proxy.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api import grants, i18n, present, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.present.tracking import track_out
from api.ratelimit import client_address, public_limit
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.dossiers import owned, phones, slip
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.enums import Role
from courier.errors import DossierNotFound, NotAuthenticated
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
ACCOUNT_ROLES = (Role.CITIZEN, Role.ENTERPRISE)
FIELD_MAX = 200
CodePath = Annotated[str, Path(max_length=40)]


def _next(value: str) -> str:
    """Where to go after signing in: one of these pages, never another site."""
    return value if value.startswith("/me") and "//" not in value and "\\" not in value else "/me"


def login_page(request: Request, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The sign-in form (the next page to open is kept in a hidden field)."""
    context.setdefault("next", _next(request.url.path))
    return web.render(request, "me_login.html", status_code=status_code, **context)


MY_DOSSIERS = mark("My dossiers")
ALL_MINE = mark("All my dossiers")
REQUEST_REFUSED = mark("Request refused")
BACK_HOME = mark("Back to the home page")
TRACK = mark("Track a dossier")
REFUSED = mark(
    "This form must be sent from the service's own page. "
    "Open the page again and send the form from there."
)
STAFF = mark(
    'This is a staff account. "My dossiers" is for citizen and enterprise accounts: staff work '
    "in their own screens (courier app, center dashboard, dispatcher console)."
)
NOT_YOURS = mark("None of your dossiers has the code %(code)s.")
MINE, HOME = "/me", "/"


def notice(
    request: Request,
    status_code: int,
    message: str,
    *,
    title: str = MY_DOSSIERS,
    tone: str = "alert",
    links: tuple[tuple[str, str], ...] = ((MINE, ALL_MINE), ("/track", TRACK)),
    **params: str,
) -> HTMLResponse:
    """A page that only says one thing (refused, not found, not for this account) and links on."""
    translated = web.translator(request)(message)
    text = translated % params if params else translated
    return web.render(
        request,
        "me_notice.html",
        status_code=status_code,
        title=title,
        message=text,
        tone=tone,
        links=links,
    )


def refused_post(request: Request, settings: Settings) -> HTMLResponse | None:
    """The refusal page for a POST that did not come from this site's own page (CSRF), or None."""
    try:
        signin.check_origin(request, settings)
    except signin.ForeignOrigin:
        return notice(request, 403, REFUSED, links=((MINE, MY_DOSSIERS),), title=REQUEST_REFUSED)
    return None


def account_of(request: Request, session: Session, settings: Settings) -> User | None:
    """The signed-in citizen or enterprise account, or None."""
    user = signin.signed_in_user(request, session, settings)
    return user if user is not None and user.role in ACCOUNT_ROLES else None


@router.get("/me", response_class=HTMLResponse)
def my_dossiers(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The sign-in form, or the account's own dossiers, newest first, 50 a page."""
    user = signin.signed_in_user(request, session, settings)
    if user is None:
        return login_page(request)
    if user.role not in ACCOUNT_ROLES:
        return notice(request, 200, STAFF, tone="warning", links=((HOME, BACK_HOME),))
    found = owned.page_of(session, user.id, number=page)
    lang = i18n.language_of(request)
    return web.render(
        request,
        "me.html",
        user=user,
        enterprise=user.role is Role.ENTERPRISE,
        found=found,
        labels={d.id: present.status_label(d.status, lang) for d in found.dossiers},
    )


def checked_user(request: Request, session: Session, username: str, password: str) -> User | None:
    """The active account a username and password name; None for a wrong one and an unknown
    user alike (and for fields longer than any account's). A failure is counted against the
    username and the client (`LockedOut` while locked; the page's answer commits it)."""
    if not username or not password or len(password) > FIELD_MAX:
        return None
    try:
        return accounts.sign_in(session, username, password, client=client_address(request))
    except NotAuthenticated:
        return None


@router.post("/me/login", response_class=HTMLResponse, dependencies=[Depends(public_limit)])
def login(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/me",
) -> Response:
    """Check the password; a wrong one and an unknown user read the same."""
    if refused := refused_post(request, settings):
        return refused
    username = username.strip()[:FIELD_MAX]
    user = checked_user(request, session, username, password)
    if user is None:
        return login_page(request, status_code=401, failed=True, username=username, next=next)
    if user.role not in ACCOUNT_ROLES:
        return notice(request, 403, STAFF, tone="warning", links=((HOME, BACK_HOME),))
    answer = RedirectResponse(_next(next), status_code=303)
    signin.sign_in(answer, settings, user.id)
    return answer


@router.post("/me/logout")
def logout(request: Request, settings: SettingsDep) -> Response:
    """Forget the account in this browser, and the dossiers it opened with their phone digits."""
    if refused := refused_post(request, settings):
        return refused
    answer = RedirectResponse("/me", status_code=303)
    signin.sign_out(answer)
    for name in request.cookies:
        if name.startswith(grants.PREFIX):
            grants.revoke(answer, name.removeprefix(grants.PREFIX))
    return answer


def mine(
    request: Request, session: Session, settings: Settings, code: str
) -> Dossier | HTMLResponse:
    """The signed-in account's dossier with that code; else the sign-in form (401), or the same
    404 page for another's dossier and an unknown code."""
    user = account_of(request, session, settings)
    if user is None:
        return login_page(request, status_code=401, expired=True)
    try:
        return owned.get_owned(session, user.id, code)
    except DossierNotFound:
        return notice(request, 404, NOT_YOURS, code=code[:40])


@router.get("/me/dossiers/{code}", response_class=HTMLResponse)
def my_dossier(
    code: CodePath, request: Request, session: DbSession, settings: SettingsDep
) -> HTMLResponse:
    """One of the account's dossiers: details and timeline; another's reads as unknown (404)."""
    dossier = mine(request, session, settings, code)
    if isinstance(dossier, HTMLResponse):
        return dossier
    lang = i18n.language_of(request)
    track = track_out(dossier, dossiers.timeline(session, dossier), lang, settings.zone)
    return web.render(
        request,
        "me_dossier.html",
        dossier=dossier,
        track=track,
        events=list(reversed(track.events)),
        slip=slip.slip_data(dossier, settings, lang),
        phone=phones.national(dossier.applicant_phone),
    )
