"""Sites of the administrative network and the procedures they receive."""

from datetime import time

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.db import Base
from courier.enums import SiteKind, str_enum


class Site(Base):
    """A provincial center, branch, reception point or post office, with its opening hours."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[SiteKind] = mapped_column(str_enum(SiteKind), index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float]
    lon: Mapped[float]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    morning_opens: Mapped[time]
    morning_closes: Mapped[time]
    afternoon_opens: Mapped[time]
    afternoon_closes: Mapped[time]
    # ISO weekdays 1..7 as a string of digits, e.g. "12345"; Saturday morning separately
    open_weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    saturday_morning: Mapped[bool] = mapped_column(default=False)


class Procedure(Base):
    """An administrative procedure a citizen can hand in through the courier."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    field: Mapped[str] = mapped_column(String(64), index=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    receiving_kind: Mapped[SiteKind] = mapped_column(str_enum(SiteKind))
    fee_vnd: Mapped[int]
    processing_days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    documents: Mapped[list["RequiredDocument"]] = relationship(
        back_populates="procedure",
        order_by="RequiredDocument.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class RequiredDocument(Base):
    """A document a procedure requires, as an original or a copy."""

    __tablename__ = "required_document"
    __table_args__ = (UniqueConstraint("procedure_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id", ondelete="CASCADE"))
    position: Mapped[int]
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    original: Mapped[bool]
    copies: Mapped[int] = mapped_column(default=1)

    procedure: Mapped[Procedure] = relationship(back_populates="documents")


class Ward(Base):
    """A ward, commune or township of the province, with an approximate centre.

    Choosing one places an approximate pickup point when neither GPS nor map tiles are at hand;
    the courier corrects it on the spot.
    """

    __tablename__ = "ward"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    district_vi: Mapped[str] = mapped_column(String(200), index=True)
    district_en: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float]
    lon: Mapped[float]
