"""Handovers: the unit of proof that dossiers passed from one party to another."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.db import Base, utcnow
from courier.enums import PartyKind, str_enum


class Handover(Base):
    """Who gave, who received, where and when; proofs (signature, photos) attach to it."""

    __tablename__ = "handover"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    from_kind: Mapped[PartyKind] = mapped_column(str_enum(PartyKind))
    from_id: Mapped[int | None]
    to_kind: Mapped[PartyKind] = mapped_column(str_enum(PartyKind))
    to_id: Mapped[int | None]
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    device_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    fees_collected_vnd: Mapped[int] = mapped_column(default=0)
    accuracy_m: Mapped[float | None]
    seal_number: Mapped[str | None] = mapped_column(String(32))
    # tracking code -> [{"position": n, "form": "original" | "copy"}], for a pickup
    documents: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # SHA-256 of the canonical content, image digests included (see courier.proofs.custody)
    content_hash: Mapped[str | None] = mapped_column(String(64))

    items: Mapped[list["HandoverItem"]] = relationship(
        back_populates="handover", order_by="HandoverItem.id", cascade="all, delete-orphan"
    )


class HandoverItem(Base):
    """One dossier in a handover and the change it made to it."""

    __tablename__ = "handover_item"
    __table_args__ = (UniqueConstraint("handover_id", "dossier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    # one link of the dossier's custody chain: its place, the previous link, its signed hash
    seq: Mapped[int | None]
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    link_hash: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(100))
    key_id: Mapped[str | None] = mapped_column(String(32))

    handover: Mapped[Handover] = relationship(back_populates="items")
