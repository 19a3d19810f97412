"""Issue a handover's receipt: gather the record, draw it, store PNG and PDF, remember the keys."""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.db import utcnow
from courier.dossiers.models import Dossier
from courier.enums import PartyKind
from courier.fleet.models import Courier
from courier.handovers.models import Handover, HandoverItem
from courier.proofs import anchor, custody, receipts
from courier.proofs.kinds import ProofRole
from courier.proofs.models import HandoverProof, Receipt
from courier.proofs.service import proofs_of
from courier.proofs.storage import Storage, StoredObjectDamaged, read_checked
from courier.settings import Settings

_FORMS = {"original": "Bản chính", "copy": "Bản sao"}


def issue_receipt(
    session: Session, handover_id: int, *, settings: Settings, storage: Storage
) -> Receipt | None:
    """Render and store the receipt once; a second call finds it issued and does nothing."""
    existing = session.scalar(select(Receipt).where(Receipt.handover_id == handover_id))
    handover = session.get(Handover, handover_id)
    if existing is not None or handover is None:
        return None
    receipt = Receipt(handover_id=handover_id)
    _draw(session, receipt, handover, settings=settings, storage=storage)
    session.add(receipt)
    session.flush()
    return receipt


def reissue_without_removed_images(
    session: Session, *, settings: Settings, storage: Storage
) -> list[int]:
    """Draw again every receipt that still shows an image retention removed, or the name of an
    applicant whose personal data was erased, since it was drawn.

    The new PNG and PDF replace the old ones under the same keys, so no copy of the images or
    the name survives in a receipt. Returns the handover ids; a second run finds nothing to do.
    """
    erased = (
        select(HandoverItem.id)
        .join(Dossier, Dossier.id == HandoverItem.dossier_id)
        .where(
            HandoverItem.handover_id == Receipt.handover_id,
            Dossier.erased_at >= Receipt.rendered_at,
        )
    )
    stale = session.scalars(
        select(Receipt)
        .where(
            exists().where(
                HandoverProof.handover_id == Receipt.handover_id,
                HandoverProof.removed_at >= Receipt.rendered_at,
            )
            | erased.exists()
        )
        .order_by(Receipt.id)
    ).all()
    redrawn = []
    for receipt in stale:
        handover = session.get_one(Handover, receipt.handover_id)
        try:  # a damaged image (logged) holds back its own receipt, not the others
            _draw(session, receipt, handover, settings=settings, storage=storage)
        except StoredObjectDamaged:
            continue
        redrawn.append(receipt.handover_id)
    session.flush()
    return redrawn


def _draw(
    session: Session, receipt: Receipt, handover: Handover, *, settings: Settings, storage: Storage
) -> None:
    """Render the receipt from the record as it is now and store it under its keys."""
    png, pdf, _ = receipts.render(receipt_data(session, handover, settings, storage))
    base = f"receipts/{handover.id // 1000:04d}/{handover.id}"
    storage.put(f"{base}.png", png, "image/png")
    storage.put(f"{base}.pdf", pdf, "application/pdf")
    receipt.png_key, receipt.pdf_key = f"{base}.png", f"{base}.pdf"
    receipt.png_sha256, receipt.pdf_sha256 = custody.sha256_hex(png), custody.sha256_hex(pdf)
    receipt.rendered_at = utcnow()


def receipt_data(
    session: Session, handover: Handover, settings: Settings, storage: Storage
) -> receipts.ReceiptData:
    """The record resolved to the text and images a receipt prints."""
    rows = session.execute(
        select(HandoverItem, Dossier)
        .join(Dossier, Dossier.id == HandoverItem.dossier_id)
        .where(HandoverItem.handover_id == handover.id)
        .order_by(HandoverItem.id)
    ).all()
    parts = tuple(
        _part(handover, item, dossier, settings, _anchor_line(session, item))
        for item, dossier in rows
    )
    applicants = sorted({p.applicant for p in parts})
    every = proofs_of(session, handover.id)
    proofs = [p for p in every if p.removed_at is None]
    kinds = (handover.from_kind, handover.to_kind)
    title = _TITLES.get(kinds, _TITLES[None])
    signer_captions = _captions(handover, session, applicants)
    return receipts.ReceiptData(
        handover_id=handover.id,
        title_vi=title[0],
        title_en=title[1],
        recorded_at=handover.recorded_at,
        device_at=handover.device_at,
        giver=_party(session, handover.from_kind, handover.from_id, applicants),
        receiver=_party(session, handover.to_kind, handover.to_id, applicants),
        place=_place(session, handover),
        seal_number=handover.seal_number,
        fee_vnd=handover.fees_collected_vnd
        if kinds[0] is PartyKind.CITIZEN or kinds[1] is PartyKind.CITIZEN
        else None,
        dossiers=parts,
        signatures=tuple(
            (signer_captions[p.role], read_checked(storage, p.storage_key, p.sha256))
            for p in proofs
            if p.role is not ProofRole.PHOTO
        ),
        photos=tuple(
            read_checked(storage, p.storage_key, p.sha256)
            for p in proofs
            if p.role is ProofRole.PHOTO
        ),
        key_id=handover_key_id(session, handover) or custody.signing_key(settings).key_id,
        zone=settings.zone,
        content_hash=handover.content_hash or "",
        removed_images=len(every) - len(proofs),
    )


def handover_key_id(session: Session, handover: Handover) -> str | None:
    """The key that signed the handover's links (a receipt drawn again keeps naming it)."""
    return session.scalar(
        select(HandoverItem.key_id).where(HandoverItem.handover_id == handover.id).limit(1)
    )


_TITLES: dict[tuple[PartyKind, PartyKind] | None, tuple[str, str]] = {
    (PartyKind.CITIZEN, PartyKind.COURIER): ("PHIẾU BIÊN NHẬN HỒ SƠ", "Dossier receipt"),
    (PartyKind.COURIER, PartyKind.CENTER): (
        "BIÊN BẢN BÀN GIAO HỒ SƠ",
        "Dossier delivery record",
    ),
    (PartyKind.CENTER, PartyKind.COURIER): (
        "BIÊN BẢN BÀN GIAO KẾT QUẢ",
        "Result handover record",
    ),
    (PartyKind.COURIER, PartyKind.CITIZEN): ("PHIẾU PHÁT KẾT QUẢ", "Result delivery receipt"),
    (PartyKind.CENTER, PartyKind.CITIZEN): ("PHIẾU TRẢ KẾT QUẢ", "Result collection receipt"),
    None: ("BIÊN NHẬN BÀN GIAO", "Handover receipt"),
}


def _captions(handover: Handover, session: Session, applicants: list[str]) -> dict[ProofRole, str]:
    from courier.proofs.kinds import REQUIREMENTS, Signer

    needs = REQUIREMENTS.get((handover.from_kind, handover.to_kind))
    giver = ("Chữ ký bên giao", handover.from_kind, handover.from_id)
    receiver = ("Chữ ký bên nhận", handover.to_kind, handover.to_id)
    first, second = (
        (giver, receiver) if needs and needs.signer is Signer.GIVER else (receiver, giver)
    )
    return {
        ProofRole.SIGNATURE: f"{first[0]}: {_party(session, first[1], first[2], applicants)}",
        ProofRole.COUNTER_SIGNATURE: f"{second[0]}: "
        f"{_party(session, second[1], second[2], applicants)}",
    }


def _party(session: Session, kind: PartyKind, party_id: int | None, applicants: list[str]) -> str:
    if kind is PartyKind.CITIZEN:
        return "Công dân " + ", ".join(applicants)
    if kind is PartyKind.COURIER and party_id is not None:
        courier = session.get(Courier, party_id)
        return f"Bưu tá {courier.full_name} ({courier.code})" if courier else f"Bưu tá #{party_id}"
    site = session.get(Site, party_id) if party_id is not None else None
    return site.name_vi if site else f"{kind} #{party_id}"


def _place(session: Session, handover: Handover) -> str:
    site = session.get(Site, handover.site_id) if handover.site_id else None
    if site is not None:
        return f"{site.name_vi}, {site.address}"
    if handover.lat is None or handover.lon is None:
        return "Không có vị trí GPS (điện thoại không xác định được) / no GPS fix"
    accuracy = f" ±{handover.accuracy_m:.0f} m" if handover.accuracy_m is not None else ""
    return f"GPS {handover.lat:.6f}, {handover.lon:.6f}{accuracy}"


def _anchor_line(session: Session, item: HandoverItem) -> str:
    """The custody log entry of the link, as printed: day, number and entry hash."""
    entry = anchor.of_link(session, item.dossier_id, item.link_hash or "")
    return f"{entry.day.isoformat()} #{entry.seq} {entry.entry_hash}" if entry else ""


def _part(
    handover: Handover, item: HandoverItem, dossier: Dossier, settings: Settings, anchored: str
) -> receipts.DossierPart:
    ticks = {
        tick["position"]: tick["form"]
        for tick in (handover.documents or {}).get(dossier.tracking_code, [])
    }
    documents = tuple(
        (d.name_vi, _FORMS[ticks[d.position]], d.original)
        for d in dossier.procedure.documents
        if d.position in ticks
    )
    base = settings.public_base_url.rstrip("/")
    return receipts.DossierPart(
        tracking_code=dossier.tracking_code,
        procedure=dossier.procedure.name_vi,
        applicant=dossier.applicant_name,
        documents=documents,
        link_hash=item.link_hash or "",
        signature=item.signature or "",
        anchor=anchored,
        custody_url=f"{base}/track/{dossier.tracking_code}",
    )
