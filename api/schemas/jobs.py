"""Courier jobs, their failed attempts and their assignment."""

from pydantic import BaseModel, Field

from api.schemas import AwareDatetime, Id, IdempotencyKey, Strict
from api.schemas.bookings import WindowOut
from courier.dossiers.models import JobKind, JobStatus, Leg


class AttemptIn(Strict):
    """A failed attempt at a stop, as the phone recorded it (maybe offline, sent later)."""

    reason: str = Field(
        min_length=1,
        max_length=32,
        description="not_home, refused, wrong_address, documents_incomplete, other (with a note)",
    )
    note: str = Field(default="", max_length=1000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    device_at: AwareDatetime | None = Field(
        default=None, description="when the phone recorded it (the server's time if left out)"
    )
    idempotency_key: IdempotencyKey | None = Field(
        default=None, description="the same key and body again answer the first attempt"
    )


class AssignIn(Strict):
    """A courier for a job pair."""

    courier_id: Id


class JobOut(BaseModel):
    """A courier job; the address is shown to whom the job concerns."""

    id: int
    tracking_code: str
    leg: Leg
    kind: JobKind
    status: JobStatus
    courier_id: int | None
    site_code: str | None
    address_text: str
    lat: float
    lon: float
    window: WindowOut
    service_s: int
    attempts: int


class AttemptOut(JobOut):
    """The job after a failed attempt, and the attempt recorded (the first one on a retry)."""

    attempt_id: int
