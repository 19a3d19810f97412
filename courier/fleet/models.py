"""Couriers: who they are, where they start, when they work, what they carry."""

from datetime import time

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.accounts.models import User
from courier.catalogue.models import Site
from courier.db import Base


class Courier(Base):
    """A postal courier with a home post office, a daily shift and a capacity in dossiers."""

    __tablename__ = "courier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    home_post_office_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    shift_start: Mapped[time]
    shift_end: Mapped[time]
    capacity: Mapped[int]
    vehicle: Mapped[str] = mapped_column(String(32), default="motorbike")
    speed_kmh: Mapped[float]
    active: Mapped[bool] = mapped_column(default=True)

    home_post_office: Mapped[Site] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship()
