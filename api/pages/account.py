""" "Hồ sơ của tôi": citizen and enterprise accounts sign in, list their own dossiers, open each.

Signing in sets a signed session cookie (`api.signin`); every POST checks its Origin (CSRF).
Staff accounts are sent to their own screens, and a failed sign-in never says whether the
username exists. Every page here holds personal data: none is stored by a browser or a proxy.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import i18n, present, signin, web
from api.deps import DbSession, SettingsDep
from api.ratelimit import public_limit
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.dossiers import owned, phones, slip
from courier.dossiers import service as dossiers
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


def foreign_origin_page(request: Request) -> HTMLResponse:
    """A POST that did not come from this site's own page (cross-site request forgery)."""
    return web.render(request, "me_refused.html", status_code=403)


def account_of(request: Request, session: DbSession, settings: Settings) -> User | None:
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
        return web.render(request, "me_staff.html", user=user)
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
    try:
        signin.check_origin(request, settings)
    except signin.ForeignOrigin:
        return foreign_origin_page(request)
    username = username.strip()[:FIELD_MAX]
    user = None
    if username and password and len(password) <= FIELD_MAX:
        try:
            user = accounts.authenticate(session, username, password)
        except NotAuthenticated:
            user = None
    if user is None:
        return login_page(request, status_code=401, failed=True, username=username, next=next)
    if user.role not in ACCOUNT_ROLES:
        return web.render(request, "me_staff.html", status_code=403, user=user)
    answer = RedirectResponse(_next(next), status_code=303)
    signin.sign_in(answer, settings, user.id)
    return answer


@router.post("/me/logout")
def logout(request: Request, settings: SettingsDep) -> Response:
    """Forget the account in this browser."""
    try:
        signin.check_origin(request, settings)
    except signin.ForeignOrigin:
        return foreign_origin_page(request)
    answer = RedirectResponse("/me", status_code=303)
    signin.sign_out(answer)
    return answer


@router.get("/me/dossiers/{code}", response_class=HTMLResponse)
def my_dossier(
    code: CodePath, request: Request, session: DbSession, settings: SettingsDep
) -> HTMLResponse:
    """One of the account's dossiers: details and timeline; another's reads as unknown (404)."""
    user = account_of(request, session, settings)
    if user is None:
        return login_page(request, status_code=401, expired=True)
    try:
        dossier = owned.get_owned(session, user.id, code)
    except DossierNotFound:
        return web.render(request, "me_missing.html", status_code=404, code=code[:40])
    lang = i18n.language_of(request)
    track = present.track_out(dossier, dossiers.timeline(session, dossier), lang, settings.zone)
    return web.render(
        request,
        "me_dossier.html",
        dossier=dossier,
        track=track,
        events=list(reversed(track.events)),
        slip=slip.slip_data(dossier, settings, lang),
        phone=phones.national(dossier.applicant_phone),
    )
