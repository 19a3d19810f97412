"""Domain errors to HTTP, in one table, in the caller's language; a database out of reach is a 503."""

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import i18n, present, problems, web
from api.admission import Overloaded
from api.i18n import mark
from api.ratelimit import TooManyRequests
from courier import errors
from courier.db import DATABASE_UNAVAILABLE
from courier.dossiers.models import DossierStatus

STATUS: list[tuple[type[Exception], int]] = [
    (errors.NotFound, 404),
    (errors.NotAuthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.IllegalTransition, 409),
    (errors.Conflict, 409),
    (errors.InvalidInput, 422),
    (errors.LockedOut, 429),
]

_TRANSITION = mark("The dossier is «%(current)s»; it cannot become «%(requested)s»")
_STALE = mark("The dossier changed at the same time; reload it and try again.")
_UNAVAILABLE = mark(
    "The service cannot reach its database for a moment; please try again in a few seconds."
)
_OVERLOADED = mark("The service is busy; please try again in a few seconds.")


def _body(exc: errors.DomainError, lang: str) -> dict[str, object]:
    if isinstance(exc, errors.InvalidInput):
        return problems.answer(problems.from_invalid_input(exc, lang))
    detail = i18n.gettext(lang, exc.message)
    if exc.params:  # a value may itself be a catalogue id (a reason the system gave)
        detail %= {
            k: i18n.gettext(lang, v) if isinstance(v, str) else v for k, v in exc.params.items()
        }
    body: dict[str, object] = {"detail": detail}
    if exc.code:
        body["code"] = exc.code
    if isinstance(exc, errors.IllegalTransition):
        # the sentence for people, then the statuses for programs (also in current/requested)
        requested = exc.target or exc.event
        body["detail"] = f"{_transition(exc, lang)} ({exc.current} → {requested})"
        body.update(current=exc.current, requested=exc.target, event=exc.event)
        body["detail_vi"] = _transition(exc, "vi")
    return body


def sentence(exc: errors.DomainError, lang: str) -> str:
    """The refusal as one sentence in the language (for a page): each field's problem, joined."""
    detail = _body(exc, lang)["detail"]
    if isinstance(detail, list):
        return "; ".join(str(problem["msg"]) for problem in detail)
    return str(detail)


def _transition(exc: errors.IllegalTransition, lang: str) -> str:
    """The refusal with the statuses as the citizen's timeline names them."""
    return i18n.gettext(lang, _TRANSITION) % {
        "current": _status_name(exc.current, lang),
        "requested": _status_name(exc.target or "", lang) if exc.target else exc.event,
    }


def _status_name(value: str, lang: str) -> str:
    known = {status.value for status in DossierStatus}
    return present.status_label(DossierStatus(value), lang) if value in known else value


log = logging.getLogger(__name__)

# a few seconds: pooled connections are checked before use, so the first request after the
# database is back succeeds
RETRY_AFTER_S = 5


def _json(
    request: Request, body: dict[str, object], status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    lang = i18n.language_of(request)
    return JSONResponse(
        body, status_code=status, headers={"Content-Language": lang, **(headers or {})}
    )


_BUSY = mark("The service is busy for a moment")
_TOO_MANY = mark("Too many requests")
_NOT_FOUND = mark("Not found")
_NOT_FOUND_ADVICE = mark("This page does not exist. Start again from the home page.")


def _page(request: Request) -> bool:
    """The request is for a web page (answered with a page), not for the API."""
    return not request.url.path.startswith(("/api/", "/healthz", "/static/", "/vendor/"))


def unavailable(request: Request, message: str, retry_after_s: int) -> Response:
    """503 with `Retry-After` and the message (a catalogue id) in the caller's language."""
    lang = i18n.language_of(request)
    headers = {"Retry-After": str(retry_after_s)}
    if _page(request):
        return web.refusal(request, 503, headers, _BUSY, message)
    body = {"detail": i18n.gettext(lang, message), "retry_after_s": retry_after_s}
    return _json(request, body, 503, headers)


def too_many(request: Request, exc: TooManyRequests) -> Response:
    """429 with `Retry-After` and the reason in the caller's language (a page for a page)."""
    if _page(request):
        headers = {"Retry-After": str(exc.retry_after_s)}
        return web.refusal(request, 429, headers, _TOO_MANY, exc.text(i18n.language_of(request)))
    return _too_many_json(request, exc)


def _too_many_json(request: Request, exc: TooManyRequests) -> JSONResponse:
    body = {"detail": exc.text(i18n.language_of(request)), "retry_after_s": exc.retry_after_s}
    return _json(request, body, 429, {"Retry-After": str(exc.retry_after_s)})


def domain_response(request: Request, exc: errors.DomainError) -> JSONResponse:
    """The answer to a domain error; a route returns it (rather than raise) to keep its writes."""
    if isinstance(exc, errors.LockedOut):
        return _too_many_json(request, TooManyRequests(exc.retry_after_s, exc.message))
    status = next(code for cls, code in STATUS if isinstance(exc, cls))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return _json(request, _body(exc, i18n.language_of(request)), status, headers)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    async def domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.DomainError)
        return domain_response(request, exc)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        # pydantic's own answer echoes the input: a 50 MB name would come back whole
        assert isinstance(exc, RequestValidationError)
        found = problems.from_validation(exc.errors(), i18n.language_of(request))
        return _json(request, problems.answer(found), 422)

    async def stale(request: Request, exc: Exception) -> JSONResponse:
        return _json(request, {"detail": i18n.gettext(i18n.language_of(request), _STALE)}, 409)

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        # the driver's reason only: the statement's parameters may hold personal data
        reason = getattr(exc, "orig", None) or exc
        log.warning("database unavailable (%s): %s", type(exc).__name__, reason)
        return unavailable(request, _UNAVAILABLE, RETRY_AFTER_S)

    async def overloaded(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Overloaded)
        return unavailable(request, _OVERLOADED, exc.retry_after_s)

    async def not_found(request: Request, exc: Exception) -> Response:
        # an unknown address of the site is a page in the visitor's language; the API keeps JSON
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and _page(request) and request.method in ("GET", "HEAD"):
            return web.refusal(request, 404, {}, _NOT_FOUND, _NOT_FOUND_ADVICE)
        return await http_exception_handler(request, exc)

    async def rate_limited(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TooManyRequests)
        return too_many(request, exc)

    async def locked_out(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.LockedOut)
        return too_many(request, TooManyRequests(exc.retry_after_s, exc.message))

    for cls, _ in STATUS:
        app.add_exception_handler(cls, domain_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StaleDataError, stale)
    for cls in DATABASE_UNAVAILABLE:
        app.add_exception_handler(cls, database_unavailable)
    app.add_exception_handler(Overloaded, overloaded)
    app.add_exception_handler(StarletteHTTPException, not_found)
    app.add_exception_handler(TooManyRequests, rate_limited)
    app.add_exception_handler(errors.LockedOut, locked_out)
