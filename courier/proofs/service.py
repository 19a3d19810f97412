"""Proofs of a handover: normalise and store its images, seal it into each dossier's chain.

The handover service calls `prepare` before it moves any dossier (a bad image changes nothing),
then `attach` and `seal` once the moves succeeded; the edge commits.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier, DossierStatus
from courier.errors import FieldProblem, InvalidInput
from courier.handovers.models import Handover, HandoverItem
from courier.proofs import anchor, custody, images
from courier.proofs.kinds import ProofRole
from courier.proofs.models import HandoverProof
from courier.proofs.storage import Storage
from courier.settings import Settings

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file as the request carried it; `sha256` is of the raw bytes."""

    role: ProofRole
    position: int
    stream: BinaryIO
    size: int
    sha256: str

    @classmethod
    def read(cls, role: ProofRole, position: int, stream: BinaryIO) -> "Upload":
        """Digest the upload without holding it in memory (it may be spooled to disk)."""
        digest = hashlib.sha256()
        size = 0
        stream.seek(0)
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        stream.seek(0)
        return cls(role, position, stream, size, digest.hexdigest())

    @property
    def field(self) -> tuple[str | int, ...]:
        """Where the upload sits in the request, for error messages."""
        return ("photos", self.position) if self.role is ProofRole.PHOTO else (self.role.value,)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A normalised upload waiting to be stored."""

    role: ProofRole
    position: int
    image: images.StoredImage

    def new_key(self) -> str:
        """A storage key of its own: identical uploads are stored once each, so damage to one
        file touches one record (older records keep the digest-named keys they were given)."""
        name = uuid.uuid4().hex
        return f"proofs/{name[:2]}/{name}.{_EXTENSIONS[self.image.media_type]}"


def prepare(uploads: list[Upload], settings: Settings) -> list[Prepared]:
    """Normalise every upload, or refuse the lot naming each bad file."""
    prepared: list[Prepared] = []
    problems: list[FieldProblem] = []
    for upload in uploads:
        try:
            prepared.append(Prepared(upload.role, upload.position, _normalise(upload, settings)))
        except images.ImageRefused as exc:
            problems.append(FieldProblem(upload.field, str(exc), "image_refused"))
    if problems:
        raise InvalidInput(problems)
    return prepared


def _normalise(upload: Upload, settings: Settings) -> images.StoredImage:
    if upload.role is ProofRole.PHOTO:
        return images.normalise_photo(
            upload.stream,
            max_side=settings.photo_max_side,
            max_pixels=settings.photo_max_pixels,
            max_pixels_full_decode=settings.photo_max_pixels_full_decode,
            target_bytes=settings.photo_target_bytes,
        )
    return images.normalise_signature(upload.stream)


def attach(
    session: Session, handover: Handover, prepared: list[Prepared], storage: Storage
) -> list[HandoverProof]:
    """Store each image under a key of its own and record the key and the image's digest."""
    rows = []
    for item in prepared:
        key = item.new_key()
        storage.put(key, item.image.data, item.image.media_type)
        row = HandoverProof(
            handover_id=handover.id,
            role=item.role,
            position=item.position,
            storage_key=key,
            sha256=item.image.sha256,
            media_type=item.image.media_type,
            size_bytes=len(item.image.data),
            width=item.image.width,
            height=item.image.height,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def proofs_of(session: Session, handover_id: int) -> list[HandoverProof]:
    """The handover's images, signatures first."""
    query = (
        select(HandoverProof)
        .where(HandoverProof.handover_id == handover_id)
        .order_by(HandoverProof.role, HandoverProof.position)
    )
    return list(session.scalars(query))


def content_of(session: Session, handover: Handover) -> dict[str, Any]:
    """The canonical content of a handover, as hashed into the chain."""
    codes = dict(
        session.execute(
            select(HandoverItem.dossier_id, Dossier.tracking_code)
            .join(Dossier, Dossier.id == HandoverItem.dossier_id)
            .where(HandoverItem.handover_id == handover.id)
        ).all()
    )
    items = session.scalars(select(HandoverItem).where(HandoverItem.handover_id == handover.id))
    return {
        "v": custody.VERSION,
        "id": handover.id,
        "idempotency_key": handover.idempotency_key,
        "giver": {"kind": handover.from_kind.value, "id": handover.from_id},
        "receiver": {"kind": handover.to_kind.value, "id": handover.to_id},
        "site_id": handover.site_id,
        "lat": handover.lat,
        "lon": handover.lon,
        "accuracy_m": handover.accuracy_m,
        "device_at": custody.timestamp(handover.device_at),
        "recorded_at": custody.timestamp(handover.recorded_at),
        "recorded_by_id": handover.recorded_by_id,
        "fees_collected_vnd": handover.fees_collected_vnd,
        "seal_number": handover.seal_number,
        "documents": handover.documents,
        "items": sorted(
            (
                {
                    "dossier": codes.get(i.dossier_id),
                    "event": i.event,
                    "from": i.from_status,
                    "to": i.to_status,
                }
                for i in items
            ),
            key=lambda row: str(row["dossier"]),
        ),
        "proofs": [
            {"role": p.role.value, "position": p.position, "sha256": p.sha256, "type": p.media_type}
            for p in proofs_of(session, handover.id)
        ],
    }


def seal(session: Session, handover: Handover, key: custody.SigningKey, *, zone: ZoneInfo) -> None:
    """Hash the handover, append a signed link to each moved dossier's chain, and anchor each
    link in the custody log (its day counted in `zone`)."""
    session.flush()
    handover.content_hash = custody.sha256_hex(custody.canonical(content_of(session, handover)))
    for item in session.scalars(
        select(HandoverItem)
        .where(HandoverItem.handover_id == handover.id)
        .order_by(HandoverItem.id)
    ):
        dossier = session.get_one(Dossier, item.dossier_id)
        item.seq = dossier.custody_seq + 1
        item.prev_hash = dossier.custody_head or custody.GENESIS
        item.link_hash = custody.link_hash(
            content_hash=handover.content_hash,
            tracking_code=dossier.tracking_code,
            seq=item.seq,
            prev_hash=item.prev_hash,
        )
        item.signature = key.sign(item.link_hash)
        item.key_id = key.key_id
        dossier.custody_seq = item.seq
        dossier.custody_head = item.link_hash
        anchor.append(session, dossier_id=dossier.id, link_hash=item.link_hash, zone=zone)
    session.flush()


def mark_for_retention(
    session: Session, *, delivered_before: datetime, now: datetime
) -> tuple[list[HandoverProof], list[str]]:
    """Mark the images of dossiers delivered (by a handover) before the cut-off as removed.

    A handover that also moved a dossier not yet delivered keeps its images. Returns the marked
    proofs and the storage keys no other live proof uses: delete those after the commit, so
    that a failed transaction never leaves a record pointing at a deleted file.
    """
    delivered = _delivered_before(delivered_before)
    finished = _handovers_where(delivered)
    unfinished = _handovers_where(~delivered)
    due = list(
        session.scalars(
            select(HandoverProof)
            .where(
                HandoverProof.removed_at.is_(None),
                HandoverProof.handover_id.in_(finished),
                HandoverProof.handover_id.not_in(unfinished),
            )
            .order_by(HandoverProof.id)
        )
    )
    for proof in due:
        proof.removed_at = now
        proof.removed_reason = "retention"
    session.flush()
    keys = sorted({p.storage_key for p in due})
    live = set(
        session.scalars(
            select(HandoverProof.storage_key).where(
                HandoverProof.storage_key.in_(keys), HandoverProof.removed_at.is_(None)
            )
        )
    )
    return due, [k for k in keys if k not in live]


def _delivered_before(cut_off: datetime) -> ColumnElement[bool]:
    """Delivered, by a handover recorded before the cut-off: the time the chain itself signs."""
    delivered_in_chain = (
        select(HandoverItem.dossier_id)
        .join(Handover, Handover.id == HandoverItem.handover_id)
        .where(
            HandoverItem.to_status == DossierStatus.DELIVERED.value,
            Handover.recorded_at < cut_off,
        )
    )
    return (Dossier.status == DossierStatus.DELIVERED) & Dossier.id.in_(delivered_in_chain)


def _handovers_where(condition: ColumnElement[bool]) -> Select[int]:
    return (
        select(HandoverItem.handover_id)
        .join(Dossier, Dossier.id == HandoverItem.dossier_id)
        .where(condition)
    )
