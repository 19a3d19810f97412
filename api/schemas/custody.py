"""A dossier's custody chain, its verification, and the keys that sign it."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from api.schemas.handovers import PartyIn
from courier.proofs.kinds import ProofRole


class CustodyProofOut(BaseModel):
    """An image digest in the chain and what verification found of the stored file."""

    role: ProofRole
    position: int
    sha256: str
    state: str


class AnchorOut(BaseModel):
    """The custody log entry that anchored a link when it was written."""

    day: date
    seq: int
    entry_hash: str


class CustodyLinkOut(BaseModel):
    """One record of a dossier's custody chain (no personal data: parties by kind and id)."""

    seq: int
    handover_id: int
    event: str
    giver: PartyIn
    receiver: PartyIn
    site_code: str | None
    device_at: datetime
    recorded_at: datetime
    content_hash: str | None
    prev_hash: str | None
    link_hash: str | None
    signature: str | None
    key_id: str | None
    anchor: AnchorOut | None
    proofs: list[CustodyProofOut]
    verified: bool
    problems: list[str]


class BrokenLinkOut(BaseModel):
    """The first record that does not verify, and why."""

    seq: int
    problem: str


class CustodyOut(BaseModel):
    """A dossier's custody chain and whether it verifies."""

    tracking_code: str
    verified: bool
    first_broken: BrokenLinkOut | None
    key_id: str
    public_key_url: str
    links: list[CustodyLinkOut]


class SigningKeyOut(BaseModel):
    """One custody-signing public key and its id, as links and receipts name it."""

    key_id: str
    status: Literal["current", "retired"]
    algorithm: str
    public_key_pem: str
    public_key_raw_base64: str


class PublicKeyOut(BaseModel):
    """The current custody-signing key (top level) and every published key, to check receipts."""

    key_id: str
    algorithm: str
    public_key_pem: str
    public_key_raw_base64: str
    keys: list[SigningKeyOut]
    signed_message: str


class CustodyDayOut(BaseModel):
    """A day of the custody log: its entry hashes, their signed root (no personal data)."""

    day: date
    complete: bool
    count: int
    first_seq: int | None
    entries: list[str]
    root: str
    signature: str
    key_id: str
    signed_message: str
    verified: bool
    problems: list[str]
    public_key_url: str
