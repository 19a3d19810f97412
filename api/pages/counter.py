"""«Nhận hồ sơ tại quầy»: a clerk receives a courier's dossiers at the counter on a tablet.

Each code scanned (or typed) is checked at once (`GET …/check`): on its way to this center, in the
hands of the courier at the counter; the clerk compares the seal and the checklist recorded at
pickup with the packet. Both sides sign on the tablet and the batch becomes one courier → center
handover (`courier.handovers.counter.receive`), sent once however often the button is pressed
(the page keeps one idempotency key per batch). Staff cookie; the POST is Origin-checked.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import errors, i18n, signin, web
from api.deps import DbSession, SettingsDep
from api.i18n import mark
from api.pages.account import REFUSED
from api.pages.center import CENTER, NOT_STAFF, Clerk, clerk
from api.reads import ReadLog
from api.schemas import Id
from courier.calendar import outside_service_years
from courier.errors import DomainError, FieldProblem, InvalidInput
from courier.handovers import counter
from courier.handovers import queries as handover_queries
from courier.handovers.models import Handover
from courier.privacy.reads import DataKind
from courier.proofs import service as proofs
from courier.proofs.kinds import ProofRole
from courier.proofs.storage import (
    DAMAGED,
    DAMAGED_TITLE,
    StoredObjectDamaged,
    StoredObjectMissing,
    read_checked,
    storage_for,
)

router = APIRouter(include_in_schema=False)
COUNTER = CENTER + "counter"
SIGN_IN_AGAIN = mark("Your session has ended: sign in again on the center page.")
CHOOSE_CENTER = mark("Choose a center first.")
NO_RECEIPT = mark("The receipt is being prepared; try again in a moment.")
NO_SUCH = mark("This center has no such handover.")
BAD_TIME = mark("The tablet's clock sent an unreadable time; reload the page.")
ShortText = Annotated[str, Query(max_length=40)]
FormText = Annotated[str, Form(max_length=64)]


@router.get(COUNTER, response_class=HTMLResponse)
def counter_page(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    site: ShortText = "",
    courier: Annotated[Id | None, Query()] = None,
) -> Response:
    """The counter screen: pick the courier, scan, check, both sign, receive."""
    who = clerk(request, session, settings, site)
    if not isinstance(who, Clerk):
        return who
    couriers = counter.couriers_carrying(session, who.center.id) if who.center else []
    return web.render(
        request,
        "center_receive.html",
        user=who.user,
        center=who.center,
        couriers=couriers,
        chosen=courier,
        site=site,
        texts=_texts(request),
    )


def _texts(request: Request) -> dict[str, str]:
    """The script's words, in the visitor's language (the page's own catalogue)."""
    _ = web.translator(request)
    return {key: _(text) for key, text in SCRIPT_TEXTS.items()}


SCRIPT_TEXTS = {
    "twice": counter.TWICE,
    "invalid": mark("%(code)s is not a tracking code: check it and try again."),
    "seal": mark("Seal at pickup"),
    "no_seal": mark("no seal recorded"),
    "checked": mark("Seal and documents match"),
    "refuse": mark("Refuse"),
    "refused": mark("Refused: stays with the courier"),
    "undo": mark("Take back into the batch"),
    "original": mark("original"),
    "copy": mark("copy"),
    "not_ticked": mark("not ticked at pickup"),
    "unchecked": mark("Tick «Seal and documents match» for every dossier, or refuse it."),
    "empty": counter.NOTHING,
    "clerk": counter.CLERK_SIGNS,
    "courier": counter.COURIER_SIGNS,
    "no_seal_number": counter.NO_SEAL,
    "sending": mark("Saving the handover…"),
    "offline": mark("The service cannot be reached; the handover is not saved. Try again."),
    "count_one": mark("%(n)s dossier in the batch"),
    "count_many": mark("%(n)s dossiers in the batch"),
}


def _json_clerk(
    request: Request, session: DbSession, settings: SettingsDep, site: str
) -> Clerk | JSONResponse:
    """The clerk of a chosen center, or a JSON refusal the script shows as it is."""
    who = clerk(request, session, settings, site)
    if isinstance(who, Clerk) and who.center is not None:
        return who
    _ = web.translator(request)
    if isinstance(who, Clerk):
        return JSONResponse({"detail": _(CHOOSE_CENTER)}, status_code=400)
    if who.status_code == 403:
        return JSONResponse({"detail": _(NOT_STAFF)}, status_code=403)
    return JSONResponse({"detail": _(SIGN_IN_AGAIN)}, status_code=401)


@router.get(COUNTER + "/check", response_model=None)
def check(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    code: ShortText,
    courier: Annotated[Id | None, Query()] = None,
    site: ShortText = "",
) -> Response:
    """One scanned code: what the clerk checks, or why it cannot be received here."""
    who = _json_clerk(request, session, settings, site)
    if isinstance(who, JSONResponse):
        return who
    assert who.center is not None
    try:
        found = counter.check_arrival(
            session, who.actor, site_id=who.center.id, code=code, courier_id=courier
        )
    except DomainError as exc:
        return errors.domain_response(request, exc)
    return JSONResponse(_arrival_json(found, i18n.language_of(request)))


def _arrival_json(found: counter.Arrival, lang: str) -> dict[str, Any]:
    vi = lang == "vi"
    return {
        "tracking_code": found.tracking_code,
        "procedure": f"{found.procedure_code} · "
        + (found.procedure_vi if vi else found.procedure_en),
        "courier": {"id": found.courier_id, "name": found.courier_name},
        "seal_number": found.seal_number,
        "documents": [
            {"position": d.position, "name": d.name_vi if vi else d.name_en, "ticked": d.ticked}
            for d in found.documents
        ],
    }


@router.post(COUNTER + "/receive", response_model=None)
def receive(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    idempotency_key: FormText,
    device_at: FormText,
    courier_id: Annotated[Id, Form()],
    codes: Annotated[list[str], Form()],
    seal_number: Annotated[str, Form(max_length=32)] = "",
    site: Annotated[str, Form(max_length=40)] = "",
    signature: Annotated[UploadFile | None, File()] = None,
    counter_signature: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Receive the batch as one handover; the confirmation's address, or why not."""
    try:
        signin.check_origin(request, settings)
    except signin.ForeignOrigin:
        detail = web.translator(request)(REFUSED)
        return JSONResponse({"detail": detail}, status_code=403)
    who = _json_clerk(request, session, settings, site)
    if isinstance(who, JSONResponse):
        return who
    assert who.center is not None
    uploads = [
        proofs.Upload.read(role, 0, upload.file)
        for role, upload in (
            (ProofRole.SIGNATURE, signature),
            (ProofRole.COUNTER_SIGNATURE, counter_signature),
        )
        if upload is not None
    ]
    try:
        batch = counter.CounterBatch(
            site_id=who.center.id,
            courier_id=courier_id,
            tracking_codes=tuple(codes),
            seal_number=seal_number.strip(),
            idempotency_key=idempotency_key,
            device_at=_moment(device_at),
        )
        handover, created = counter.receive(
            session, who.actor, batch, uploads=uploads, settings=settings
        )
    except DomainError as exc:
        session.rollback()
        detail = errors.sentence(exc, i18n.language_of(request))
        status = errors.domain_response(request, exc).status_code
        return JSONResponse({"detail": detail}, status_code=status)
    where = f"{COUNTER}/received/{handover.id}" + (f"?site={site}" if site else "")
    return JSONResponse(
        {"handover_id": handover.id, "next": where}, status_code=201 if created else 200
    )


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    # a year the calendar cannot carry to UTC (0001 at +07:00) is as unreadable as garbage
    if moment is None or moment.tzinfo is None or outside_service_years("", moment.date()):
        raise InvalidInput([FieldProblem(("device_at",), BAD_TIME)])
    return moment


@router.get(COUNTER + "/received/{handover_id}", response_class=HTMLResponse)
def received(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    handover_id: Id,
    site: ShortText = "",
    refused: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The confirmation: the codes received, the courier, the seal and the receipt."""
    who = clerk(request, session, settings, site)
    if not isinstance(who, Clerk):
        return who
    try:
        found = counter.received(session, who.actor, handover_id)
    except handover_queries.HandoverNotFound:
        return web.refusal(request, 404, {}, NO_SUCH, NO_SUCH)
    return web.render(
        request,
        "center_received.html",
        user=who.user,
        center=who.center,
        received=found,
        site=site,
        refused=[code[:20] for code in (refused or [])[:100]],
    )


@router.get(COUNTER + "/received/{handover_id}/receipt.{fmt}", response_model=None)
def receipt(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    handover_id: Id,
    fmt: str,
    site: ShortText = "",
) -> Response:
    """The printable receipt of a counter handover, for the clerk; it prints each dossier's
    applicant, so the read is written to the access log."""
    who = clerk(request, session, settings, site)
    if not isinstance(who, Clerk):
        return who
    try:
        counter.received(session, who.actor, handover_id)
        found, key, media_type = handover_queries.visible_receipt(
            session, handover_id, fmt, who.actor
        )
        data = read_checked(storage_for(settings), key, found.sha256_of(key))
    except (handover_queries.HandoverNotFound, StoredObjectMissing):
        return web.refusal(request, 404, {"Retry-After": "5"}, NO_RECEIPT, NO_RECEIPT)
    except StoredObjectDamaged:
        return web.refusal(request, 409, {}, DAMAGED_TITLE, DAMAGED)
    shown = [item.dossier_id for item in session.get_one(Handover, handover_id).items]
    ReadLog(session, request).ids(who.actor, DataKind.RECEIPT, shown)
    disposition = f'inline; filename="bien-nhan-{found.handover_id}.{fmt}"'
    return Response(
        data,
        media_type=media_type,
        headers={"Cache-Control": "private, no-store", "Content-Disposition": disposition},
    )
