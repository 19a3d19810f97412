"""The task outbox: tasks written in the same transaction as the change that causes them."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base, utcnow


class OutboxMessage(Base):
    """A task to run once its transaction has committed; kept until the task says it is done.

    `available_at` is when a relay may send it next: at once when written, a lease after each
    send (a worker that dies mid-task leaves it to be sent again), later after a failure.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "done_at", "available_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the last time it was handed to the broker (or run in-process)
    sent_at: Mapped[datetime | None]
    # set by the task itself once its effect is committed
    done_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
