"""Handovers: dossiers passing between citizen, courier, post office and center, with their proof."""

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api import errors, i18n
from api.deps import CurrentActor, DbSession, SettingsDep
from api.present.handovers import handover_out
from api.reads import ReadLogDep
from api.schemas import Id
from api.schemas.handovers import HandoverIn, HandoverOut
from courier.handovers import queries as handover_queries
from courier.handovers import service as handovers
from courier.handovers.models import Handover
from courier.privacy.reads import DataKind
from courier.proofs import service as proofs
from courier.proofs.kinds import MAX_PHOTOS, ProofRole
from courier.proofs.storage import StoredObjectMissing, read_checked, storage_for
from courier.settings import Settings

router = APIRouter(prefix="/handovers", tags=["handovers"])

HANDOVER_DOC = (
    "The handover as JSON: idempotency_key, giver and receiver ({kind, id}), tracking_codes, "
    "device_at, site_id or lat/lon/accuracy_m, fees_collected_vnd, seal_number, and for a pickup "
    "documents: {tracking code: [{position, form: original|copy}]}."
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HandoverOut)
def record_handover(
    response: Response,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
    handover: Annotated[str, Form(description=HANDOVER_DOC)],
    signature: Annotated[UploadFile | None, File(description="PNG from the signature pad")] = None,
    counter_signature: Annotated[
        UploadFile | None, File(description="PNG: the other side, where both sign")
    ] = None,
    photos: Annotated[
        list[UploadFile] | None, File(description=f"0 to {MAX_PHOTOS} JPEG/PNG/WebP/HEIC")
    ] = None,
) -> HandoverOut:
    """Record a handover with its proof and move each dossier, all or none; a retry is a no-op."""
    body = _parse(handover)
    uploads = _uploads(signature, counter_signature, photos or [])
    request = handovers.HandoverRequest(
        idempotency_key=body.idempotency_key,
        giver=handovers.Party(body.giver.kind, body.giver.id),
        receiver=handovers.Party(body.receiver.kind, body.receiver.id),
        tracking_codes=tuple(body.tracking_codes),
        device_at=body.device_at,
        site_id=body.site_id,
        lat=body.lat,
        lon=body.lon,
        accuracy_m=body.accuracy_m,
        fees_collected_vnd=body.fees_collected_vnd,
        seal_number=body.seal_number,
        documents=tuple(
            handovers.DocumentTick(code, tick.position, tick.form)
            for code, ticks in body.documents.items()
            for tick in ticks
        ),
    )
    recorded, created = handovers.record(
        session, request, actor, uploads=uploads, settings=settings
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    log.ids(actor, DataKind.HANDOVER, _dossier_ids(recorded))
    return handover_out(session, recorded, settings.zone)


def _dossier_ids(handover: Handover) -> list[int]:
    return [item.dossier_id for item in handover.items]


def _parse(raw: str) -> HandoverIn:
    try:
        return HandoverIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", "handover", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None


def _uploads(
    signature: UploadFile | None, counter: UploadFile | None, photos: list[UploadFile]
) -> list[proofs.Upload]:
    uploads = []
    for role, upload in ((ProofRole.SIGNATURE, signature), (ProofRole.COUNTER_SIGNATURE, counter)):
        if upload is not None:
            uploads.append(proofs.Upload.read(role, 0, upload.file))
    uploads += [proofs.Upload.read(ProofRole.PHOTO, i, p.file) for i, p in enumerate(photos)]
    return uploads


@router.get("/{handover_id}", response_model=HandoverOut)
def get_handover(
    handover_id: Id, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> HandoverOut:
    """A handover for a party to it or staff it concerns; links to its images and receipt for
    its parties (and admins) only."""
    found = handover_queries.get_visible(session, handover_id, actor)
    log.ids(actor, DataKind.HANDOVER, _dossier_ids(found))
    links = handover_queries.may_read_proofs(session, actor, found)
    return handover_out(session, found, settings.zone, links=links)


@router.get("/{handover_id}/proofs/{proof_id}", response_class=Response)
def get_proof(
    request: Request,
    handover_id: Id,
    proof_id: Id,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
) -> Response:
    """One signature or photo, for the handover's parties and admins."""
    try:
        proof = handover_queries.visible_proof(session, handover_id, proof_id, actor)
    except handover_queries.ProofRemoved as exc:
        lang = i18n.language_of(request)
        raise HTTPException(
            status.HTTP_410_GONE, errors.sentence(exc, lang), {"Content-Language": lang}
        ) from None
    log.ids(actor, DataKind.PROOF_IMAGE, _dossier_ids(session.get_one(Handover, handover_id)))
    what = f"image {proof_id} of handover {handover_id}"
    data = _stored(settings, proof.storage_key, proof.sha256, what)
    return Response(data, media_type=proof.media_type, headers=_PRIVATE)


@router.get("/{handover_id}/receipt.{fmt}", response_class=Response)
def get_receipt(
    handover_id: Id,
    fmt: str,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
) -> Response:
    """The printable receipt, PNG or PDF, once its task has rendered it."""
    receipt, key, media_type = handover_queries.visible_receipt(session, handover_id, fmt, actor)
    log.ids(actor, DataKind.RECEIPT, _dossier_ids(session.get_one(Handover, handover_id)))
    what = f"the {fmt} receipt of handover {handover_id}"
    data = _stored(settings, key, receipt.sha256_of(key), what)
    disposition = f'inline; filename="bien-nhan-{receipt.handover_id}.{fmt}"'
    return Response(
        data, media_type=media_type, headers={**_PRIVATE, "Content-Disposition": disposition}
    )


def _stored(settings: Settings, key: str, sha256: str, what: str) -> bytes:
    """The stored bytes, or 404 naming what is missing (the record exists, its file does not);
    bytes that are not the recorded ones are `StoredObjectDamaged` (409 `proof_damaged`)."""
    try:
        return read_checked(storage_for(settings), key, sha256)
    except StoredObjectMissing:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"{what} is recorded but its file is missing from storage"
        ) from None


_PRIVATE = {"Cache-Control": "private, no-store"}
