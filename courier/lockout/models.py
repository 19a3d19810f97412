"""One row per key that failed lately: an account, a tracking code, or a client address."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base


class Lockout(Base):
    """Failed guesses counted against a key (`sign-in:user:admin`, `track:code:HS…VN`,
    `track:client:203.0.113.7`), and until when the key is locked."""

    __tablename__ = "lockout"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
