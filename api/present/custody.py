"""A dossier's custody chain as verified."""

from zoneinfo import ZoneInfo

from api.present import local
from api.schemas.custody import (
    AnchorOut,
    BrokenLinkOut,
    CustodyLinkOut,
    CustodyOut,
    CustodyProofOut,
)
from api.schemas.handovers import PartyIn
from courier.proofs.verify import ChainReport


def custody_out(report: ChainReport, zone: ZoneInfo) -> CustodyOut:
    """A dossier's custody chain as verified; parties by kind and id only."""
    broken = report.first_broken
    return CustodyOut(
        tracking_code=report.tracking_code,
        verified=report.verified,
        first_broken=BrokenLinkOut(seq=broken[0], problem=broken[1]) if broken else None,
        key_id=report.key_id,
        public_key_url="/api/v1/custody/public-key",
        links=[
            CustodyLinkOut(
                seq=link.seq,
                handover_id=link.handover.id,
                event=link.item.event,
                giver=PartyIn(kind=link.handover.from_kind, id=link.handover.from_id),
                receiver=PartyIn(kind=link.handover.to_kind, id=link.handover.to_id),
                site_code=link.site_code,
                device_at=local(link.handover.device_at, zone),
                recorded_at=local(link.handover.recorded_at, zone),
                content_hash=link.handover.content_hash,
                prev_hash=link.item.prev_hash,
                link_hash=link.item.link_hash,
                signature=link.item.signature,
                key_id=link.item.key_id,
                anchor=AnchorOut(
                    day=link.anchor.day, seq=link.anchor.seq, entry_hash=link.anchor.entry_hash
                )
                if link.anchor
                else None,
                proofs=[
                    CustodyProofOut(
                        role=c.proof.role,
                        position=c.proof.position,
                        sha256=c.proof.sha256,
                        state=c.state,
                    )
                    for c in link.proofs
                ],
                verified=not link.problems,
                problems=link.problems,
            )
            for link in report.links
        ],
    )
