"""A recorded handover with its proofs, chain links and receipt links."""

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.present import local
from api.schemas.handovers import HandoverItemOut, HandoverOut, PartyIn, ProofOut
from courier.handovers import queries
from courier.handovers.models import Handover
from courier.proofs.service import proofs_of


def handover_out(
    session: Session, handover: Handover, zone: ZoneInfo, *, links: bool = True
) -> HandoverOut:
    """A recorded handover with its proofs, chain links and receipt links; without `links` (a
    reader who may not open the images) the digests only."""
    codes = queries.item_codes(session, handover)
    receipt = links and queries.has_receipt(session, handover.id)
    base = f"/api/v1/handovers/{handover.id}"
    return HandoverOut(
        id=handover.id,
        recorded_at=local(handover.recorded_at, zone),
        device_at=local(handover.device_at, zone),
        giver=PartyIn(kind=handover.from_kind, id=handover.from_id),
        receiver=PartyIn(kind=handover.to_kind, id=handover.to_id),
        site_id=handover.site_id,
        lat=handover.lat,
        lon=handover.lon,
        accuracy_m=handover.accuracy_m,
        fees_collected_vnd=handover.fees_collected_vnd,
        seal_number=handover.seal_number,
        documents=handover.documents,
        content_hash=handover.content_hash,
        items=[
            HandoverItemOut(
                tracking_code=codes[i.dossier_id],
                event=i.event,
                from_status=i.from_status,
                to_status=i.to_status,
                seq=i.seq,
                link_hash=i.link_hash,
            )
            for i in handover.items
        ],
        proofs=[
            ProofOut(
                id=p.id,
                role=p.role,
                position=p.position,
                media_type=p.media_type,
                width=p.width,
                height=p.height,
                size_bytes=p.size_bytes,
                sha256=p.sha256,
                removed_at=local(p.removed_at, zone) if p.removed_at else None,
                url=f"{base}/proofs/{p.id}" if links and not p.removed_at else None,
            )
            for p in proofs_of(session, handover.id)
        ],
        receipt_png=f"{base}/receipt.png" if receipt else None,
        receipt_pdf=f"{base}/receipt.pdf" if receipt else None,
    )
