"""A handover's body (parties, documents, proofs) and its answer."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.schemas import AwareDatetime, Id, IdempotencyKey, Strict
from courier.enums import PartyKind
from courier.proofs.kinds import DocumentForm, ProofRole


class PartyIn(Strict):
    """A giver or receiver."""

    kind: PartyKind
    id: Id | None = None


class DocumentTickIn(Strict):
    """One required document of the procedure, as handed in."""

    position: int = Field(ge=0, le=1000)
    form: DocumentForm


class HandoverIn(Strict):
    """A handover as the device records it."""

    idempotency_key: IdempotencyKey
    giver: PartyIn
    receiver: PartyIn
    tracking_codes: list[str] = Field(min_length=1, max_length=200)
    device_at: AwareDatetime
    site_id: Id | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    fees_collected_vnd: int | None = Field(default=None, ge=0, le=1_000_000_000)
    seal_number: str | None = Field(default=None, min_length=1, max_length=32)
    documents: dict[str, list[DocumentTickIn]] = Field(
        default_factory=dict,
        description="for a pickup: per tracking code, each required document ticked",
    )


class HandoverItemOut(BaseModel):
    """What a handover did to one dossier, and its link in the dossier's custody chain."""

    tracking_code: str
    event: str
    from_status: str
    to_status: str
    seq: int | None
    link_hash: str | None


class ProofOut(BaseModel):
    """One stored image of a handover (the bytes are at `url`, for those it concerns)."""

    id: int
    role: ProofRole
    position: int
    media_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    removed_at: datetime | None
    url: str | None


class HandoverOut(BaseModel):
    """A recorded handover."""

    id: int
    recorded_at: datetime
    device_at: datetime
    giver: PartyIn
    receiver: PartyIn
    site_id: int | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    fees_collected_vnd: int
    seal_number: str | None
    documents: dict[str, Any] | None
    content_hash: str | None
    items: list[HandoverItemOut]
    proofs: list[ProofOut]
    receipt_png: str | None
    receipt_pdf: str | None
