"""Dossiers, their courier jobs and attempts, and the tracking events of their lifecycle."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courier.catalogue.models import Procedure, Site
from courier.db import Base, utcnow
from courier.enums import PartyKind, str_enum


class DossierStatus(StrEnum):
    """Where a dossier is in its lifecycle; only `courier.dossiers.states` changes it."""

    BOOKED = "booked"
    PICKUP_FAILED = "pickup_failed"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    RECEIVED_AT_CENTER = "received_at_center"
    PROCESSING = "processing"
    RESULT_READY = "result_ready"
    RESULT_PICKED_UP = "result_picked_up"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERED = "delivered"
    RETURNED_TO_CENTER = "returned_to_center"
    CANCELLED = "cancelled"


class Slot(StrEnum):
    """The half-day the citizen chose for the pickup."""

    MORNING = "morning"
    AFTERNOON = "afternoon"


class ResultReturn(StrEnum):
    """How the citizen gets the result back."""

    POST = "post"
    CENTER = "center"


class PointSource(StrEnum):
    """How the pickup point was set: a ward's centre is approximate, for the courier to correct."""

    GIVEN = "given"  # coordinates sent by an API client or a file
    GPS = "gps"  # the phone's location on the booking page
    MAP = "map"  # a pin on the booking page's map
    WARD = "ward"  # the centre of the chosen ward or commune


class Leg(StrEnum):
    """Which way a job pair carries the dossier."""

    INBOUND = "inbound"
    RETURN = "return"
    # the post office -> center leg of a dossier that spent the night at a post office
    RELAY = "relay"


class JobKind(StrEnum):
    """Pickup or delivery end of a pair."""

    PICKUP = "pickup"
    DELIVERY = "delivery"


class JobStatus(StrEnum):
    """Where a job is in the courier's work queue."""

    PENDING = "pending"
    ASSIGNED = "assigned"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Dossier(Base):
    """A citizen's dossier for one procedure, from booking to the returned result."""

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_idempotency_key", "idempotency_key", unique=True),
        Index("ix_dossier_phone_created", "applicant_phone", "created_at"),
        # the staff list (courier.dossiers.listing): a site's or an office's dossiers in a status,
        # newest first; the due date; the keyset order; a code's prefix (PostgreSQL: LIKE 'HS12%')
        Index("ix_dossier_site_status_created", "receiving_site_id", "status", "created_at"),
        Index("ix_dossier_office_status_created", "post_office_id", "status", "created_at"),
        Index("ix_dossier_due_on", "due_on"),
        Index("ix_dossier_procedure_id", "procedure_id"),
        Index("ix_dossier_created_id", "created_at", "id"),
        Index(
            "ix_dossier_code_prefix",
            "tracking_code",
            postgresql_ops={"tracking_code": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(13), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    receiving_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    # the post office whose dispatcher and couriers serve it: the one nearest the citizen at
    # booking, then the office of each courier a job of it is given to (courier.access)
    post_office_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_phone: Mapped[str] = mapped_column(String(16))
    address_text: Mapped[str] = mapped_column(String(500))
    lat: Mapped[float]
    lon: Mapped[float]
    point_source: Mapped[PointSource] = mapped_column(
        str_enum(PointSource), default=PointSource.GIVEN
    )
    preferred_on: Mapped[date]
    slot: Mapped[Slot] = mapped_column(str_enum(Slot))
    result_return: Mapped[ResultReturn] = mapped_column(str_enum(ResultReturn))
    consent_version: Mapped[str] = mapped_column(String(32))
    consent_at: Mapped[datetime]
    procedure_fee_vnd: Mapped[int]
    service_fee_vnd: Mapped[int]
    status: Mapped[DossierStatus] = mapped_column(str_enum(DossierStatus), index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # who holds the paper now: a citizen, a courier (id), a post office or a center (site id)
    holder_kind: Mapped[PartyKind] = mapped_column(str_enum(PartyKind))
    holder_id: Mapped[int | None]
    due_on: Mapped[date | None]
    # the newest link of the custody chain, so that a removed last record is noticed
    custody_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    custody_head: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when its personal fields were replaced by the erasure marker (courier.privacy.erasure)
    erased_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # the booking's Idempotency-Key and a digest of its request and caller: a retry finds it
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_digest: Mapped[str | None] = mapped_column(String(64))

    procedure: Mapped[Procedure] = relationship(lazy="joined", innerjoin=True)
    receiving_site: Mapped[Site] = relationship(
        lazy="joined", innerjoin=True, foreign_keys=[receiving_site_id]
    )
    jobs: Mapped[list["Job"]] = relationship(back_populates="dossier", order_by="Job.id")

    __mapper_args__ = {"version_id_col": version}


class Job(Base):
    """One end of a courier pickup→delivery pair: a stop with a time window."""

    __tablename__ = "job"
    __table_args__ = (
        UniqueConstraint("dossier_id", "leg", "kind"),
        Index("ix_job_status_window", "status", "window_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    leg: Mapped[Leg] = mapped_column(str_enum(Leg))
    kind: Mapped[JobKind] = mapped_column(str_enum(JobKind))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus))
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("courier.id"), index=True)
    # the stop: a site (center or post office) or the citizen's address point
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    address_text: Mapped[str] = mapped_column(String(500))
    lat: Mapped[float]
    lon: Mapped[float]
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    service_s: Mapped[int]
    attempts: Mapped[int] = mapped_column(default=0)
    # raised each time the daily plan could not fit the pair: it weighs more the next day
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="jobs")
    site: Mapped[Site | None] = relationship()


class JobAttempt(Base):
    """A failed attempt at a stop, with its reason; the phone's capture time and the server's."""

    __tablename__ = "job_attempt"
    __table_args__ = (Index("ix_job_attempt_idempotency_key", "idempotency_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    courier_id: Mapped[int | None] = mapped_column(ForeignKey("courier.id"))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    # when the server received it; `device_at` is when the phone recorded it (offline, maybe)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_at: Mapped[datetime | None]
    # the phone's key and a digest of what it sent: a retry finds the first attempt
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    request_digest: Mapped[str | None] = mapped_column(String(64))


class TrackingEvent(Base):
    """One change in a dossier's life, with its UPU-style event code, actor and time."""

    __tablename__ = "tracking_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(8))
    from_status: Mapped[DossierStatus | None] = mapped_column(str_enum(DossierStatus))
    to_status: Mapped[DossierStatus] = mapped_column(str_enum(DossierStatus))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("handover.id"))
    reason: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_at: Mapped[datetime | None]
    due_on: Mapped[date | None]

    site: Mapped[Site | None] = relationship(lazy="joined")
