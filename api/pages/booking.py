"""The booking page: find the procedure, say who, where and when, agree, book.

It works without script: the search is a GET form, "Show documents, site and times" posts the
form back to show them, and booking is a plain POST that answers the form again with its errors
(beside each field and in a summary, in the visitor's language, values kept) or a 303 to the
confirmation. `book.js` adds the filter-as-you-type list, the phone's location, the map when
tiles are configured, live refreshes of the procedure's details and the slots, and a submit
button that cannot be pressed twice. The hidden idempotency key makes a double tap or a retry
after a lost answer create one booking.
"""

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api import grants, i18n, problems, ratelimit, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages import booking_view as view
from api.pages.account import REFUSED, REQUEST_REFUSED
from api.pages.booking_view import BookForm
from api.schemas.bookings import BookingIn
from courier import consent
from courier.actors import PUBLIC_CITIZEN
from courier.catalogue import service as catalogue
from courier.dossiers import booking
from courier.dossiers.models import PointSource
from courier.errors import InvalidInput
from courier.settings import Settings

router = APIRouter(include_in_schema=False)
FormData = Annotated[BookForm, Form()]

# where a problem of a schema field is shown on the page, when not beside a field of that name
TARGETS = {"lat": "ward", "lon": "ward", "preferred_on": "when", "slot": "when"}
TARGETS |= {"consent_version": "consent", "idempotency_key": "submit", "body": "submit"}
# what the page asks for itself, and the schema fields each answer covers
_SENTENCE = mark("«%(label)s»: %(advice)s")
ADVICE = {
    "ward": (mark("Ward or commune"), mark("please choose it, or use your phone's location")),
    "when": (mark("Day and time of the pickup"), mark("please choose a day and a half-day")),
    "consent": (problems.LABELS["consent"], booking.NO_CONSENT),
}
COVERS = {"ward": ("lat", "lon"), "when": ("preferred_on", "slot"), "consent": ("consent",)}
REUSED_KEY = "idempotency_key_reused"
KEY = re.compile(r"[A-Za-z0-9_-]{1,100}")  # as the API's Idempotency-Key header
ALREADY_BOOKED = mark(
    "This form has already booked a pickup. To book another one, check the form and press the "
    "button again."
)
# the order of the fields on the page, for the summary of errors
ORDER = (
    "procedure_code",
    "applicant_name",
    "phone",
    "address_text",
    "ward",
    "when",
    "result_return",
    "consent",
    "submit",
)


@router.get("/book", response_class=HTMLResponse)
def book_page(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=100)] = "",
    procedure_code: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """The empty form; `q` narrows the list of procedures (the search without script)."""
    form = BookForm(procedure_code=procedure_code, idempotency_key=str(uuid.uuid4()))
    return _page(request, session, settings, form, q=q)


@router.post("/book/parts", response_class=HTMLResponse)
def book_parts(
    request: Request, session: DbSession, settings: SettingsDep, form: FormData
) -> HTMLResponse:
    """The procedure's details and the open slots for the form as it stands (script refresh)."""
    lang = i18n.language_of(request)
    return web.render(
        request, "book_parts.html", parts=view.parts(session, settings, form.kept(), lang)
    )


@router.post("/book", response_class=HTMLResponse)
def book_submit(
    request: Request, session: DbSession, settings: SettingsDep, form: FormData
) -> Response:
    """Book and go to the confirmation; or the form again, with its errors and values kept."""
    try:
        signin.check_origin(request, settings)
    except signin.ForeignOrigin:
        return web.refusal(request, 403, {}, REQUEST_REFUSED, REFUSED)
    if form.step == "details":
        return _page(request, session, settings, form.kept())
    lang = i18n.language_of(request)
    point = view.locate(session, form)
    body, errors = _validated(form, point, lang)
    if body is None or point is None:
        return _page(request, session, settings, form.kept(), errors=errors)
    # a signed-in citizen or enterprise books as their account (it lists the dossier); the
    # limits per client and per phone are for anonymous bookings, as in the API
    actor = signin.signed_in_actor(request, session, settings)
    try:
        if actor is None:
            ratelimit.check_booking(request, session, body.phone)
    except ratelimit.TooManyRequests as exc:
        return web.render(
            request,
            "book_limited.html",
            status_code=429,
            headers={"Retry-After": str(exc.retry_after_s)},
            message=exc.text(lang),
        )
    try:
        key = form.idempotency_key if KEY.fullmatch(form.idempotency_key) else None
        dossier, _ = booking.book(
            session, _request(body, point), settings, actor or PUBLIC_CITIZEN, idempotency_key=key
        )
    except InvalidInput as exc:
        form, errors = _refused(form, problems.from_invalid_input(exc, lang), lang)
        return _page(request, session, settings, form.kept(), errors=errors)
    answer = RedirectResponse(f"/track/{dossier.tracking_code}/booked", status_code=303)
    grants.grant(answer, settings, dossier.tracking_code, dossier.applicant_phone[-4:])
    return answer


def _refused(
    form: BookForm, errors: list[problems.FieldError], lang: str
) -> tuple[BookForm, list[problems.FieldError]]:
    """A form sent again after it booked, then changed: a new key, and why it is needed."""
    if not any(error.type == REUSED_KEY for error in errors):
        return form, errors
    kept = [error for error in errors if error.type != REUSED_KEY]
    text = i18n.gettext(lang, ALREADY_BOOKED)
    fresh = form.model_copy(update={"idempotency_key": str(uuid.uuid4())})
    return fresh, [*kept, problems.FieldError(("submit",), "submit", text, REUSED_KEY)]


def _request(body: BookingIn, point: view.Point) -> booking.BookingRequest:
    return booking.BookingRequest(**body.model_dump(), point_source=PointSource(point.how))


def _validated(
    form: BookForm, point: view.Point | None, lang: str
) -> tuple[BookingIn | None, list[problems.FieldError]]:
    """The form as the API's booking body, or the problems of each field in the language."""
    on, _, slot = form.when.partition("/")
    raw: dict[str, Any] = {
        "applicant_name": form.applicant_name,
        "phone": form.phone,
        "address_text": form.address_text,
        "procedure_code": form.procedure_code,
        "preferred_on": on,
        "slot": slot,
        "result_return": form.result_return,
        "consent": form.consent == "true",
        "consent_version": form.consent_version,
    }
    raw = {key: value for key, value in raw.items() if value != ""}
    if point is not None:
        raw |= {"lat": point.lat, "lon": point.lon}
    body, found = None, []
    try:
        body = BookingIn.model_validate(raw)
    except ValidationError as exc:
        found = problems.from_validation(exc.errors(), lang)
    own = _unanswered(form, point is None, lang)
    if not own:
        return body, found
    covered = {name for problem in own for name in COVERS[problem.field]}
    return None, [problem for problem in found if problem.field not in covered] + own


def _unanswered(form: BookForm, no_point: bool, lang: str) -> list[problems.FieldError]:
    """One sentence each for no point, no slot and no consent (the schema would say less)."""
    missing = {"ward": no_point, "when": not form.when, "consent": form.consent != "true"}
    return [
        problems.FieldError((name,), name, _sentence(name, lang), "missing")
        for name, is_missing in missing.items()
        if is_missing
    ]


def _sentence(field: str, lang: str) -> str:
    label, advice = ADVICE[field]
    return i18n.gettext(lang, _SENTENCE) % {
        "label": i18n.gettext(lang, label),
        "advice": i18n.gettext(lang, advice),
    }


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    form: BookForm,
    *,
    q: str = "",
    errors: list[problems.FieldError] | None = None,
) -> HTMLResponse:
    """The form with the catalogue, the chosen procedure's details, the slots and any errors."""
    lang = i18n.language_of(request)
    procedures = catalogue.list_procedures(session, query=q) if q else []
    if q and len(procedures) == 1 and not form.procedure_code:
        form = form.model_copy(update={"procedure_code": procedures[0].code})
    version, text = consent.current(settings, lang)
    return web.render(
        request,
        "book.html",
        status_code=422 if errors else 200,
        form=form,
        q=q,
        found_text=_found(len(procedures), lang),
        found_texts={
            "none": i18n.gettext(lang, FOUND[0]),
            "one": i18n.gettext(lang, FOUND[1]),
            "many": i18n.gettext(lang, FOUND_MANY),
        },
        procedures=view.procedure_groups(procedures or catalogue.list_procedures(session), lang),
        wards=view.ward_groups(catalogue.list_wards(session), lang),
        parts=view.parts(session, settings, form, lang),
        located=view.located_text(view.locate(session, form), lang),
        located_texts={
            how: i18n.gettext(lang, view.LOCATED[how]) for how in ("gps", "map", "ward")
        },
        consent_version=version,
        consent_text=text,
        tiles=bool(settings.map_tiles_url),
        fold=catalogue.fold,
        pickup_fee=settings.pickup_fee_vnd,
        return_fee=settings.return_fee_vnd,
        **_placed(errors or []),
    )


FOUND = {0: mark("No procedure matches: try fewer words."), 1: mark("1 procedure found.")}
FOUND_MANY = mark("%(n)s procedures found.")


def _found(count: int, lang: str) -> str:
    if count in FOUND:
        return i18n.gettext(lang, FOUND[count])
    return i18n.gettext(lang, FOUND_MANY) % {"n": count}


def _placed(errors: list[problems.FieldError]) -> dict[str, Any]:
    """Each error beside its field (`errors`) and in the summary at the top (`summary`)."""
    by_target: dict[str, list[str]] = {}
    summary = []
    for error in errors:
        target = TARGETS.get(error.field, error.field)
        if target not in ORDER:
            target = "submit"
        by_target.setdefault(target, []).append(error.message)
        summary.append((target, error.message))
    summary.sort(key=lambda item: ORDER.index(item[0]))
    return {"errors": by_target, "summary": summary}
