"""Handovers: dossiers passing between citizen, courier, post office and center."""

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from api import present, schemas
from api.deps import CurrentActor, DbSession, SettingsDep
from courier.dossiers.models import Dossier
from courier.handovers import service as handovers

router = APIRouter(prefix="/handovers", tags=["handovers"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.HandoverOut)
def record_handover(
    body: schemas.HandoverIn,
    response: Response,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
) -> schemas.HandoverOut:
    """Record a handover and move each dossier, all or none; a retry with the same key is a no-op."""
    request = handovers.HandoverRequest(
        idempotency_key=body.idempotency_key,
        giver=handovers.Party(body.giver.kind, body.giver.id),
        receiver=handovers.Party(body.receiver.kind, body.receiver.id),
        tracking_codes=tuple(body.tracking_codes),
        device_at=body.device_at,
        site_id=body.site_id,
        lat=body.lat,
        lon=body.lon,
        fees_collected_vnd=body.fees_collected_vnd,
    )
    handover, created = handovers.record(session, request, actor)
    if not created:
        response.status_code = status.HTTP_200_OK
    ids = [i.dossier_id for i in handover.items]
    rows = session.execute(select(Dossier.id, Dossier.tracking_code).where(Dossier.id.in_(ids)))
    codes = {row[0]: row[1] for row in rows}
    return present.handover_out(handover, codes, settings.zone)
