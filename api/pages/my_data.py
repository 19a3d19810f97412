"""«Dữ liệu cá nhân của bạn»: a citizen downloads a copy of their data and asks for its erasure.

On the tracking page, for the browser that proved the phone digits (the grant that cancel and
reschedule read, `api.grants`), and on the account's dossier page, for the account that booked
it. Anyone else meets what those pages answer: the tracking form again, or the account's 404.
The account downloads the copy (JSON or PDF) at once; the tracking page only sends a link to it
by SMS to the dossier's phone (the digits are too weak a proof for the full name, phone and
address), and the link opens a page with the two downloads, or a 404 once void.
Erasure asks first, then says in words what the request got: erased now, the day it will be, or
that the dossier is still open and the earliest day.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from api import grants, i18n, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages import account, track
from api.present.my_data import ask_erasure, attachment, copy_of, pdf_response, send_copy_link
from api.ratelimit import public_limit
from api.schemas.my_data import ErasureOut
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound
from courier.privacy.erasure import MARKER
from courier.settings import Settings

track_router = APIRouter(
    route_class=track.PageRoute, include_in_schema=False, dependencies=[Depends(public_limit)]
)
account_router = APIRouter(include_in_schema=False)
CodePath = Annotated[str, Path(max_length=40)]
TITLES = {
    "erased": mark("Your personal data is erased"),
    "scheduled": mark("Your erasure request"),
    "open": mark("Your erasure request"),
}
TONES = {"erased": "success", "scheduled": "success", "open": "warning"}


def _copy(session: Session, dossier: Dossier, settings: Settings, lang: str, fmt: str) -> Response:
    """The copy as a file to keep; another format is an unknown page (404)."""
    if fmt == "pdf":
        return pdf_response(session, dossier, settings, lang)
    if fmt != "json":
        raise HTTPException(404)
    copy = copy_of(session, dossier, settings, lang)
    return JSONResponse(copy, headers=attachment(dossier.tracking_code, "json"))


def _confirm(request: Request, settings: Settings, dossier: Dossier, path: str) -> HTMLResponse:
    """Ask before erasing: what goes, what stays, and that retention may delay it."""
    return web.render(
        request,
        "my_data_erasure.html",
        code=dossier.tracking_code,
        data_path=path,
        marker=MARKER,
        retention_days=settings.personal_data_retention_days,
        tracking=path.startswith("/track/"),
    )


def _answer(request: Request, answer: ErasureOut, back: str | None) -> HTMLResponse:
    """What the request got, in words (`back`: the dossier's page, None when it is gone)."""
    return web.render(
        request,
        "my_data_answer.html",
        title=TITLES[answer.state],
        tone=TONES[answer.state],
        answer=answer,
        back=back,
    )


@track_router.post("/track/{code}/copy", dependencies=[track.SameOrigin])
def track_copy_link(
    request: Request, code: str, session: DbSession, settings: SettingsDep
) -> Response:
    """Send the link to the copy by SMS to the dossier's phone, and say to which number."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None:
        return track.back(code)
    sent = send_copy_link(session, dossier, settings)
    return web.render(request, "my_data_sent.html", code=dossier.tracking_code, sent=sent)


def _linked(session: Session, settings: Settings, code: str, token: str) -> Dossier:
    """The dossier of a live link; a void one is an unknown page (404)."""
    try:
        return grants.copy_dossier(session, settings, code, token)
    except DossierNotFound:
        raise HTTPException(404) from None


@track_router.get("/track/{code}/copy/{token}", response_class=HTMLResponse)
def track_copy_page(
    request: Request, code: str, token: str, session: DbSession, settings: SettingsDep
) -> HTMLResponse:
    """The page the SMS links to: the copy's two downloads."""
    dossier = _linked(session, settings, code, token)
    path = f"/track/{dossier.tracking_code}/copy/{token}"
    return web.render(request, "my_data_copy.html", code=dossier.tracking_code, copy_path=path)


@track_router.get("/track/{code}/copy/{token}/data.{fmt}")
def track_copy(
    request: Request, code: str, token: str, fmt: str, session: DbSession, settings: SettingsDep
) -> Response:
    """The copy of the dossier's data, through the link sent by SMS."""
    dossier = _linked(session, settings, code, token)
    return _copy(session, dossier, settings, i18n.language_of(request), fmt)


@track_router.get("/track/{code}/erasure", response_class=HTMLResponse)
def track_erasure_form(
    request: Request, code: str, session: DbSession, settings: SettingsDep
) -> Response:
    """Ask before erasing, on the tracking page."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None:
        return track.back(code)
    return _confirm(request, settings, dossier, f"/track/{dossier.tracking_code}")


@track_router.post("/track/{code}/erasure", dependencies=[track.SameOrigin])
def track_erasure(
    request: Request, code: str, session: DbSession, settings: SettingsDep
) -> Response:
    """Record the request and answer it. Once erased the phone's digits are gone with the rest,
    so the dossier can no longer be opened with them: the grant is dropped too."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None:
        return track.back(code)
    answer = ask_erasure(session, dossier, settings, i18n.language_of(request), "track")
    erased = answer.state == "erased"
    page = _answer(request, answer, None if erased else f"/track/{dossier.tracking_code}")
    if erased:
        grants.revoke(page, dossier.tracking_code)
    return page


@account_router.get("/me/dossiers/{code}/data.{fmt}")
def my_copy(
    code: CodePath, fmt: str, request: Request, session: DbSession, settings: SettingsDep
) -> Response:
    """The copy of the account's dossier's data."""
    dossier = account.mine(request, session, settings, code)
    if isinstance(dossier, HTMLResponse):
        return dossier
    return _copy(session, dossier, settings, i18n.language_of(request), fmt)


@account_router.get("/me/dossiers/{code}/erasure", response_class=HTMLResponse)
def my_erasure_form(
    code: CodePath, request: Request, session: DbSession, settings: SettingsDep
) -> HTMLResponse:
    """Ask before erasing, on the account's pages."""
    dossier = account.mine(request, session, settings, code)
    if isinstance(dossier, HTMLResponse):
        return dossier
    return _confirm(request, settings, dossier, f"/me/dossiers/{dossier.tracking_code}")


@account_router.post("/me/dossiers/{code}/erasure", response_class=HTMLResponse)
def my_erasure(
    code: CodePath, request: Request, session: DbSession, settings: SettingsDep
) -> HTMLResponse:
    """Record the account's request and answer it."""
    if refused := account.refused_post(request, settings):
        return refused
    dossier = account.mine(request, session, settings, code)
    if isinstance(dossier, HTMLResponse):
        return dossier
    answer = ask_erasure(session, dossier, settings, i18n.language_of(request), "account")
    return _answer(request, answer, f"/me/dossiers/{dossier.tracking_code}")
