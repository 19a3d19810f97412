"""Reading handovers, their images and receipts, for those they concern."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.dossiers.models import Dossier
from courier.enums import PartyKind, Role
from courier.errors import NotFound, PermissionDenied
from courier.handovers.models import Handover, HandoverItem
from courier.handovers.service import is_party_to
from courier.proofs.models import HandoverProof, Receipt
from courier.text import mark

RECEIPT_TYPES = {"png": "image/png", "pdf": "application/pdf"}


class HandoverNotFound(NotFound):
    """No handover with that id visible to the caller."""


class ProofRemoved(HandoverNotFound):
    """The image was deleted by retention; its digest remains in the chain."""


# catalogue ids: the API answers them in the caller's language
NO_HANDOVER = mark("No handover %(id)s.")
NO_IMAGE = mark("No image %(proof)s in handover %(handover)s.")
REMOVED = mark("Image %(id)s was removed by retention; its digest remains.")
RECEIPT_FORMATS = mark("Receipts are png or pdf.")
NOT_RENDERED = mark("The receipt of handover %(id)s is not rendered yet.")
NO_RECEIPT = mark("No receipt %(id)s for this dossier.")
PROOFS_FOR_PARTIES = mark(
    "Only the parties to a handover (and admins) see its signatures, photos and receipt."
)


def _dossiers(session: Session, handover: Handover) -> list[Dossier]:
    return list(
        session.scalars(
            select(Dossier)
            .join(HandoverItem, HandoverItem.dossier_id == Dossier.id)
            .where(HandoverItem.handover_id == handover.id)
        ).unique()
    )


def can_view(session: Session, actor: Actor, handover: Handover) -> bool:
    """A party to the handover, an admin, or someone every dossier in it concerns (not a courier:
    a courier sees only handovers they took part in). The record names parties by id and holds
    no image: those are `may_read_proofs`'s."""
    if is_party_to(actor, handover):
        return True
    if actor.has_role(Role.COURIER):
        return False
    return all(access.can_view_dossier(session, actor, d) for d in _dossiers(session, handover))


def may_read_proofs(session: Session, actor: Actor, handover: Handover) -> bool:
    """The signatures, photos and receipt are the parties' and admins': the courier who gave or
    took, the staff of a site that did, and on the citizen's side the account (or enterprise API
    key) that booked every dossier in it. Staff the dossiers merely concern (the receiving
    center, the dispatcher, a center's system) do not read a citizen's signature."""
    if is_party_to(actor, handover):
        return True
    citizen_side = PartyKind.CITIZEN in (handover.from_kind, handover.to_kind)
    found = _dossiers(session, handover) if citizen_side else []
    return bool(found) and all(access.owns_dossier(actor, d) for d in found)


def get_visible(session: Session, handover_id: int, actor: Actor) -> Handover:
    """The handover if it concerns the actor; otherwise not found, as if it did not exist."""
    handover = session.get(Handover, handover_id)
    if handover is None or not can_view(session, actor, handover):
        raise HandoverNotFound(NO_HANDOVER, params={"id": handover_id})
    return handover


def _readable_proofs(session: Session, handover_id: int, actor: Actor) -> None:
    """Not found for those the handover does not concern; refused for its other readers."""
    handover = get_visible(session, handover_id, actor)
    if not may_read_proofs(session, actor, handover):
        raise PermissionDenied(PROOFS_FOR_PARTIES, code="proofs_for_parties")


def visible_proof(session: Session, handover_id: int, proof_id: int, actor: Actor) -> HandoverProof:
    """One image of a handover whose proofs the actor reads; removed images are gone for all."""
    _readable_proofs(session, handover_id, actor)
    proof = session.get(HandoverProof, proof_id)
    if proof is None or proof.handover_id != handover_id:
        raise HandoverNotFound(NO_IMAGE, params={"proof": proof_id, "handover": handover_id})
    if proof.removed_at is not None:
        raise ProofRemoved(REMOVED, params={"id": proof_id})
    return proof


def visible_receipt(
    session: Session, handover_id: int, fmt: str, actor: Actor
) -> tuple[Receipt, str, str]:
    """(receipt, storage key, media type) of the receipt of a handover whose proofs the actor
    reads (it shows the signatures and photos)."""
    _readable_proofs(session, handover_id, actor)
    if fmt not in RECEIPT_TYPES:
        raise HandoverNotFound(RECEIPT_FORMATS)
    receipt = session.scalar(select(Receipt).where(Receipt.handover_id == handover_id))
    if receipt is None:
        raise HandoverNotFound(NOT_RENDERED, params={"id": handover_id})
    return _located(receipt, fmt)


def _located(receipt: Receipt, fmt: str) -> tuple[Receipt, str, str]:
    key = receipt.png_key if fmt == "png" else receipt.pdf_key
    return receipt, key, RECEIPT_TYPES[fmt]


def citizen_receipts(session: Session, dossier_id: int) -> list[tuple[Handover, Receipt]]:
    """The rendered receipts of the dossier's handovers where the citizen gave or received it."""
    rows = session.execute(
        select(Handover, Receipt)
        .join(HandoverItem, HandoverItem.handover_id == Handover.id)
        .join(Receipt, Receipt.handover_id == Handover.id)
        .where(
            HandoverItem.dossier_id == dossier_id,
            or_(Handover.from_kind == PartyKind.CITIZEN, Handover.to_kind == PartyKind.CITIZEN),
        )
        .order_by(Handover.recorded_at, Handover.id)
    ).all()
    return [(handover, receipt) for handover, receipt in rows]


def citizen_receipt(
    session: Session, dossier_id: int, handover_id: int, fmt: str
) -> tuple[Receipt, str, str]:
    """(receipt, storage key, media type) of one of `citizen_receipts`; else not found."""
    found = next((r for h, r in citizen_receipts(session, dossier_id) if h.id == handover_id), None)
    if found is None or fmt not in RECEIPT_TYPES:
        raise HandoverNotFound(NO_RECEIPT, params={"id": handover_id})
    return _located(found, fmt)


def item_codes(session: Session, handover: Handover) -> dict[int, str]:
    """The tracking code of each dossier the handover carried, by dossier id."""
    ids = [i.dossier_id for i in handover.items]
    found = session.execute(select(Dossier.id, Dossier.tracking_code).where(Dossier.id.in_(ids)))
    return dict(found.all())


def has_receipt(session: Session, handover_id: int) -> bool:
    """Whether the handover's receipt has been issued."""
    found = session.scalar(select(Receipt.id).where(Receipt.handover_id == handover_id))
    return found is not None
