"""The tracking page that SMS links and receipt QR codes open: follow, reschedule, cancel, receipts.

The phone's last digits never travel in a URL (no access log holds them): the form POSTs them and
the answer grants this browser the dossier for half an hour (`api.grants`); every other page of
the dossier reads that grant, and without it shows the form with the code filled in. Forms are
POSTed from this site only (Origin checked; the grant cookie is SameSite=Strict as well).
"""

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from api import grants, i18n, present, problems, signin, web
from api.deps import DbSession, SettingsDep
from api.pages import track_view
from api.ratelimit import TooManyRequests, client_address, public_limit
from api.schemas import Id
from courier.dossiers import actions, codes
from courier.dossiers.models import Dossier
from courier.dossiers.states import Event, allowed_events
from courier.errors import (
    DomainError,
    DossierNotFound,
    FieldProblem,
    IllegalTransition,
    InvalidInput,
)
from courier.handovers import queries as handover_queries
from courier.proofs.storage import (
    DAMAGED,
    DAMAGED_TITLE,
    StoredObjectDamaged,
    StoredObjectMissing,
    read_checked,
    storage_for,
)
from courier.settings import Settings

log = logging.getLogger(__name__)
SUFFIX = re.compile(r"\d{4}")
NO_CHOICE = i18n.mark("please choose one of the days and times listed")
# what a refused request reads like, by status
REFUSALS: dict[int, tuple[str, str]] = {
    403: (
        i18n.mark("This form can only be sent from the tracking page"),
        i18n.mark("Open the tracking page again and send the form from there."),
    ),
    404: (
        i18n.mark("Not found"),
        i18n.mark("Look the dossier up again with its tracking code and phone digits."),
    ),
    429: (
        i18n.mark("Too many requests"),
        i18n.mark("Too many requests came from your connection; please try again in a minute."),
    ),
}


class PageRoute(APIRoute):
    """A page route whose refusals (rate limit, foreign form, not found) are pages, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, with HTTP refusals rendered in the visitor's language."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except TooManyRequests as exc:
                wait = exc.text(i18n.language_of(request))
                return refusal(request, 429, {"Retry-After": str(exc.retry_after_s)}, wait)
            except HTTPException as exc:
                if exc.status_code not in REFUSALS:
                    raise
                return refusal(request, exc.status_code, dict(exc.headers or {}))

        return page_handler


def refusal(
    request: Request, status: int, headers: dict[str, str], advice: str | None = None
) -> HTMLResponse:
    """A short page saying why the request was refused and what to do."""
    title, usual = REFUSALS[status]
    return web.refusal(request, status, headers, title, advice or usual)


def same_origin(request: Request) -> None:
    """Refuse a form POSTed from another site, or with neither Origin nor Referer (CSRF)."""
    try:
        signin.check_origin(request, request.app.state.settings)
    except signin.ForeignOrigin:
        raise HTTPException(403) from None


router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[Depends(public_limit)]
)
SameOrigin = Depends(same_origin)
CodeField = Annotated[str, Form()]


@router.get("/track", response_class=HTMLResponse)
def lookup_form(request: Request, code: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """The form for the code and the phone's last digits (the home page's form fills the code)."""
    return _form(request, codes.normalise(code))


@router.post("/track", dependencies=[SameOrigin])
def lookup(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    code: CodeField = "",
    phone: CodeField = "",
) -> Response:
    """Check the code and digits, let this browser see the dossier, and open its page."""
    code, phone = codes.normalise(code)[:40], phone.strip()
    _ = web.translator(request)
    errors = {}
    if not code:
        errors["code"] = _("Enter the tracking code from the SMS or the booking slip.")
    if not SUFFIX.fullmatch(phone):
        errors["phone"] = _("Enter exactly the last 4 digits of the phone number, e.g. 5678.")
    if errors:
        return _form(request, code, errors=errors, status_code=422)
    try:
        actions.prove_public(session, code, phone, client=client_address(request))
    except DossierNotFound:  # answered, not raised: the wrong try it counts is kept
        return _form(request, code, not_found=True, status_code=404)
    answer = RedirectResponse(f"/track/{code}", status_code=303)
    grants.grant(answer, settings, code, phone)
    return answer


@router.get("/track/{code}", response_class=HTMLResponse)
def dossier_page(
    request: Request,
    code: str,
    session: DbSession,
    settings: SettingsDep,
    done: Annotated[str | None, Query(pattern="^(cancelled|rescheduled)$")] = None,
) -> HTMLResponse:
    """The dossier for a browser that proved the digits; the form, code filled in, otherwise."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None:
        return _form(request, codes.normalise(code))
    return _page(request, session, settings, dossier, done=done)


@router.get("/track/{code}/cancel", response_class=HTMLResponse)
def cancel_form(request: Request, code: str, session: DbSession, settings: SettingsDep) -> Response:
    """Ask before cancelling: what is cancelled, and that no courier will come."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None or Event.CANCEL not in allowed_events(dossier.status):
        return back(code)
    return _page(request, session, settings, dossier, "track_cancel.html")


@router.post("/track/{code}/cancel", dependencies=[SameOrigin])
def cancel(request: Request, code: str, session: DbSession, settings: SettingsDep) -> Response:
    """Cancel the booking before pickup; a refusal is shown on the dossier's page."""
    suffix = grants.granted_suffix(request, settings, codes.normalise(code))
    if suffix is None:
        return back(code)
    try:
        dossier = actions.cancel_public(session, codes.normalise(code), suffix)
    except DomainError as exc:
        return _refused(request, session, settings, code, exc)
    return back(dossier.tracking_code, "cancelled")


@router.get("/track/{code}/reschedule", response_class=HTMLResponse)
def reschedule_form(
    request: Request, code: str, session: DbSession, settings: SettingsDep
) -> Response:
    """The days and slots the pickup can move to."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None or Event.RESCHEDULE not in allowed_events(dossier.status):
        return back(code)
    return _reschedule_page(request, session, settings, dossier)


@router.post("/track/{code}/reschedule", dependencies=[SameOrigin])
def reschedule(
    request: Request,
    code: str,
    session: DbSession,
    settings: SettingsDep,
    when: CodeField = "",
) -> Response:
    """Move the pickup to the chosen day and slot; a refusal is shown beside the choices."""
    code = codes.normalise(code)
    suffix = grants.granted_suffix(request, settings, code)
    if suffix is None:
        return back(code)
    lang = i18n.language_of(request)
    chosen = track_view.parse_choice(when)
    try:
        if chosen is None:
            raise InvalidInput([FieldProblem(("preferred_on",), NO_CHOICE)])
        on, slot = chosen
        actions.reschedule_public(session, code, suffix, settings, on=on, slot=slot)
    except InvalidInput as exc:
        session.rollback()
        error = " ".join(p.message for p in problems.from_invalid_input(exc, lang))
        dossier = actions.find_public(session, code, suffix)
        return _reschedule_page(request, session, settings, dossier, error=error)
    except DomainError as exc:
        return _refused(request, session, settings, code, exc)
    return back(code, "rescheduled")


@router.get("/track/{code}/receipts/{handover_id}.{fmt}")
def receipt(
    request: Request,
    code: str,
    handover_id: Id,
    fmt: str,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    """A receipt of a handover of this dossier that the citizen signed, for its granted browser."""
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None:
        return back(code)
    try:
        found, key, media_type = handover_queries.citizen_receipt(
            session, dossier.id, handover_id, fmt
        )
        data = read_checked(storage_for(settings), key, found.sha256_of(key))
    except (handover_queries.HandoverNotFound, StoredObjectMissing):
        raise HTTPException(404) from None
    except StoredObjectDamaged:
        return web.refusal(request, 409, {}, DAMAGED_TITLE, DAMAGED)
    disposition = f'inline; filename="bien-nhan-{found.handover_id}.{fmt}"'
    headers = {"Cache-Control": "private, no-store", "Content-Disposition": disposition}
    return Response(data, media_type=media_type, headers=headers)


def back(code: str, done: str | None = None) -> RedirectResponse:
    """To the dossier's page (which asks for the digits again once the grant has lapsed)."""
    query = f"?done={done}" if done else ""
    target = f"/track/{quote(codes.normalise(code), safe='')}{query}"
    return RedirectResponse(target, status_code=303)


def _form(
    request: Request,
    code: str,
    *,
    errors: dict[str, str] | None = None,
    not_found: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    return web.render(
        request,
        "track.html",
        status_code=status_code,
        code=code,
        errors=errors or {},
        not_found=not_found,
    )


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    dossier: Dossier,
    template: str = "track_dossier.html",
    *,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """One of the dossier's pages, with what `track_view` shows of it."""
    lang = i18n.language_of(request)
    context = track_view.dossier_context(session, dossier, settings, lang)
    return web.render(request, template, status_code=status_code, **context, **extra)


def _refused(
    request: Request, session: Session, settings: Settings, code: str, exc: DomainError
) -> Response:
    """The dossier's page with the refusal (e.g. too late to cancel) in the visitor's language."""
    session.rollback()
    dossier = grants.granted_dossier(request, session, settings, code)
    if dossier is None:
        return back(code)
    _ = web.translator(request)
    if isinstance(exc, IllegalTransition):
        status = present.status_label(dossier.status, i18n.language_of(request))
        message = _("This can no longer be done: the dossier is now «%(status)s».") % {
            "status": status
        }
    else:
        message = _("This could not be done. Please try again.")
    return _page(request, session, settings, dossier, error=message, status_code=409)


def _reschedule_page(
    request: Request,
    session: Session,
    settings: Settings,
    dossier: Dossier,
    *,
    error: str | None = None,
) -> HTMLResponse:
    choices = track_view.reschedule_choices(dossier, settings, i18n.language_of(request))
    return _page(
        request,
        session,
        settings,
        dossier,
        "track_reschedule.html",
        status_code=422 if error else 200,
        choices=choices,
        error=error,
    )
