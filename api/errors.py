"""Domain errors to HTTP, in one table; a database out of reach is a 503 to retry."""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError

from api import present
from api.admission import Overloaded
from courier import errors
from courier.db import DATABASE_UNAVAILABLE

STATUS: list[tuple[type[Exception], int]] = [
    (errors.NotFound, 404),
    (errors.NotAuthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.IllegalTransition, 409),
    (errors.Conflict, 409),
    (errors.InvalidInput, 422),
]


def _body(exc: errors.DomainError) -> dict[str, object]:
    if isinstance(exc, errors.InvalidInput):
        return {
            "detail": [
                {"loc": ["body", *p.loc], "msg": p.msg, "type": p.type} for p in exc.problems
            ]
        }
    body: dict[str, object] = {"detail": exc.message}
    if isinstance(exc, errors.IllegalTransition):
        body.update(current=exc.current, requested=exc.target, event=exc.event)
        body["detail_vi"] = _transition_vi(exc)
    return body


def _transition_vi(exc: errors.IllegalTransition) -> str:
    """The refusal in Vietnamese, with the statuses as the citizen's timeline names them."""
    labels = {status.value: vi for status, (vi, _) in present.STATUS_LABELS.items()}
    current = labels.get(exc.current, exc.current)
    requested = labels.get(exc.target or "", exc.target or exc.event)
    return f"Hồ sơ đang ở trạng thái «{current}», không thể chuyển sang «{requested}»"


log = logging.getLogger(__name__)

# a few seconds: pooled connections are checked before use, so the first request after the
# database is back succeeds
RETRY_AFTER_S = 5
_UNAVAILABLE = {
    "vi": "Dịch vụ tạm thời không truy cập được dữ liệu; vui lòng thử lại sau ít giây.",
    "en": "The service cannot reach its database for a moment; please try again in a few seconds.",
}

_OVERLOADED = {
    "vi": "Dịch vụ đang quá tải; vui lòng thử lại sau ít giây.",
    "en": "The service is busy; please try again in a few seconds.",
}


def unavailable(request: Request, messages: dict[str, str], retry_after_s: int) -> JSONResponse:
    """503 with `Retry-After` and the message in the caller's language (Vietnamese first)."""
    lang = present.language(request.headers.get("accept-language"))
    return JSONResponse(
        {"detail": messages[lang], "retry_after_s": retry_after_s},
        status_code=503,
        headers={"Retry-After": str(retry_after_s), "Content-Language": lang},
    )


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    async def domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.DomainError)
        status = next(code for cls, code in STATUS if isinstance(exc, cls))
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(_body(exc), status_code=status, headers=headers)

    async def stale(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": "the dossier changed at the same time; reload and try again"},
            status_code=409,
        )

    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # the driver's reason only: the statement's parameters may hold personal data
        reason = getattr(exc, "orig", None) or exc
        log.warning("database unavailable (%s): %s", type(exc).__name__, reason)
        return unavailable(request, _UNAVAILABLE, RETRY_AFTER_S)

    for cls, _ in STATUS:
        app.add_exception_handler(cls, domain_error)
    app.add_exception_handler(StaleDataError, stale)
    async def overloaded(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Overloaded)
        return unavailable(request, _OVERLOADED, exc.retry_after_s)

    for cls in DATABASE_UNAVAILABLE:
        app.add_exception_handler(cls, database_unavailable)
    app.add_exception_handler(Overloaded, overloaded)
