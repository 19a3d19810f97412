"""One row per key that failed lately: an account, a tracking code, or a client address."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base


class Lockout(Base):
    """Failed guesses counted against a key, and until when the key is locked: an account or a
    code as guessed from one client (`sign-in:user:admin@client:203.0.113.7`), or a window's
    count of one from everyone (`track:code:HS…VN#20429`, a day's number) or of a client
    (`track:client:203.0.113.7#2941837`, a ten-minute window's number)."""

    __tablename__ = "lockout"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
