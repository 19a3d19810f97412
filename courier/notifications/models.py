"""Messages to citizens (SMS / e-mail), written once per cause."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base, utcnow


class Notification(Base):
    """One message to one recipient about one tracking event; the unique key makes sends idempotent.

    Without an event: a link to a copy of the citizen's data, sent to the dossier's phone on the
    citizen's request (`courier.notifications.service.send_copy_link`).
    """

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("tracking_event_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_event_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_event.id"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
