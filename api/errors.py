"""Domain errors to HTTP, in one table."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError

from api import present
from courier import errors

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

    for cls, _ in STATUS:
        app.add_exception_handler(cls, domain_error)
    app.add_exception_handler(StaleDataError, stale)
