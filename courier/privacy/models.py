"""The access log of staff reads of personal data, and citizens' requests for erasure."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base, utcnow


class AccessLogEntry(Base):
    """One staff read of one dossier's personal data: who, what, when, through which endpoint.

    Append-only: no code path updates or deletes a row, and the database refuses it (triggers
    of revision 0015).
    """

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_dossier_id_id", "dossier_id", "id"),
        Index("ix_access_log_actor_id", "actor_kind", "actor_id", "id"),
        Index("ix_access_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))  # user | api_key
    actor_id: Mapped[int | None]
    role: Mapped[str] = mapped_column(String(32))  # an account's role, or api_key
    # the site the account or key is bound to (a center, a post office), if any
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    data: Mapped[str] = mapped_column(String(32))  # a DataKind
    endpoint: Mapped[str] = mapped_column(String(200))  # "GET /api/v1/dossiers/{code}"
    client: Mapped[str] = mapped_column(String(64))


class ErasureRequest(Base):
    """A citizen asked for their dossier's personal data to be erased; answered with a date."""

    __tablename__ = "erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), unique=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # track (code and phone digits) | account (the account that booked it)
    requested_via: Mapped[str] = mapped_column(String(16))
    # the first day retention allows it, when the dossier was closed at the request
    erasable_on: Mapped[date | None]
    erased_at: Mapped[datetime | None]
