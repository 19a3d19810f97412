"""What a clerk does to a dossier from «Hôm nay tại …», as plain forms (no script needed): start
processing, mark the result ready (returned as the citizen asks), postpone the result date.

Each form posts here with the staff cookie and this site's Origin; the services are those of the
API (`courier.dossiers.actions`), so another center's dossier is refused as an unknown one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api import errors, i18n, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.center import CENTER, Clerk, Filters, poster, today_context
from courier.actors import Actor
from courier.dossiers import actions
from courier.dossiers.models import ResultReturn
from courier.errors import DomainError, FieldProblem, InvalidInput
from courier.proofs.kinds import PostponementReason
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
ACTION = CENTER + "dossiers/{code}/"
NOT_DONE = mark("Not done: %(reason)s")
NO_DATE = mark("choose the new result date")
NO_REASON = mark("choose why the result date moves")
Site = Annotated[str, Form(max_length=40)]


@router.post(ACTION + "processing", response_model=None)
def start_processing(
    request: Request, session: DbSession, settings: SettingsDep, code: str, site: Site = ""
) -> Response:
    """The center starts working on a dossier received at its counter."""
    act = Act(request, session, settings, site, code)
    return act("processing", lambda actor: actions.start_processing(session, code, actor))


@router.post(ACTION + "result-ready", response_model=None)
def result_ready(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    code: str,
    result_return: Annotated[ResultReturn | None, Form()] = None,
    site: Site = "",
) -> Response:
    """The result is ready; it goes back by post or waits at the counter, as the citizen asks."""
    act = Act(request, session, settings, site, code)
    return act(
        "ready",
        lambda actor: actions.mark_result_ready(
            session, code, actor, settings, result_return=result_return
        ),
    )


@router.post(ACTION + "postpone", response_model=None)
def postpone(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    code: str,
    new_due_on: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    site: Site = "",
) -> Response:
    """The result date moves to a later working day, for a reason the citizen's timeline shows."""

    def moved(actor: Actor) -> object:
        on, why = _postponement(new_due_on, reason)
        return actions.postpone_result(
            session, code, actor, settings, new_due_on=on, reason=why, note=note.strip()
        )

    return Act(request, session, settings, site, code)("postponed", moved)


@dataclass(frozen=True, slots=True)
class Act:
    """One form's action on one dossier, for the clerk who sent it from this site's page."""

    request: Request
    session: Session
    settings: Settings
    site: str
    code: str

    def __call__(self, done: str, action: Callable[[Actor], object]) -> Response:
        """Do it; back to the day saying so, or the day again saying why not."""
        who = poster(self.request, self.session, self.settings, self.site)
        if not isinstance(who, Clerk):
            return who
        try:
            action(who.actor)
        except DomainError as exc:
            return _not_done(self.request, self.session, who, self.site, exc)
        return _done(self.site, done, self.code)


def _postponement(new_due_on: str, reason: str) -> tuple[date, PostponementReason]:
    """The form's date and reason, or what is missing."""
    problems = []
    try:
        on = date.fromisoformat(new_due_on)
    except ValueError:
        problems.append(FieldProblem(("new_due_on",), NO_DATE))
    if reason not in {r.value for r in PostponementReason}:
        problems.append(FieldProblem(("reason",), NO_REASON))
    if problems:
        raise InvalidInput(problems)
    return on, PostponementReason(reason)


def _done(site: str, done: str, code: str) -> RedirectResponse:
    """Back to the day, saying what was done (POST, redirect, GET: a reload sends nothing twice)."""
    query = urlencode({k: v for k, v in (("site", site), ("done", done), ("code", code)) if v})
    return RedirectResponse(f"{CENTER}?{query}", status_code=303)


def _not_done(
    request: Request, session: Session, who: Clerk, site: str, exc: DomainError
) -> Response:
    """The day again, saying in the visitor's language why the action was refused."""
    session.rollback()
    lang = i18n.language_of(request)
    status = next(code for cls, code in errors.STATUS if isinstance(exc, cls))
    reason = errors.sentence(exc, lang)
    error = i18n.gettext(lang, NOT_DONE) % {"reason": reason}
    context = today_context(request, session, who, Filters(site=site))
    return web.render(request, "center.html", status_code=status, error=error, **context)
