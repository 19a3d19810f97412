"""Proofs of a handover (signatures, photos), its receipts, the custody log that anchors each
link, and postponements of a result date."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base, utcnow
from courier.enums import str_enum
from courier.proofs.kinds import ProofRole


class HandoverProof(Base):
    """One normalised image of a handover: where it is stored and its SHA-256.

    Retention may delete the object; the digest stays, so the custody chain still verifies.
    """

    __tablename__ = "handover_proof"
    __table_args__ = (UniqueConstraint("handover_id", "role", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(
        ForeignKey("handover.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ProofRole] = mapped_column(str_enum(ProofRole))
    position: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(200), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(String(32))


class Receipt(Base):
    """The printable record of a handover, rendered once by a task as PNG and PDF."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(
        ForeignKey("handover.id", ondelete="CASCADE"), unique=True
    )
    png_key: Mapped[str] = mapped_column(String(200))
    pdf_key: Mapped[str] = mapped_column(String(200))
    png_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)

    def sha256_of(self, key: str) -> str:
        """The recorded SHA-256 of its PNG or its PDF, by storage key."""
        return self.png_sha256 if key == self.png_key else self.pdf_sha256


class CustodyAnchor(Base):
    """One custody link hash appended to the log as it was written; never updated or deleted.

    The entries of all dossiers form one hash chain (each hashes the entry before it); a day's
    entries have a root the service signs and publishes (see `courier.proofs.anchor`).
    """

    __tablename__ = "custody_anchor"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    link_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class CustodyAnchorHead(Base):
    """The custody log's last entry, in one row each writer locks, so the log never forks."""

    __tablename__ = "custody_anchor_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    entry_hash: Mapped[str] = mapped_column(String(64))


class Postponement(Base):
    """The center moved the date a dossier's result is due, and why."""

    __tablename__ = "postponement"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    old_due_on: Mapped[date | None]
    new_due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
