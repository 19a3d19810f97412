"""The public timeline of a dossier, and what a citizen sends to change it."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.schemas import Day, Strict
from courier.dossiers.models import Slot


class EventOut(BaseModel):
    """One public step of the timeline."""

    at: datetime
    code: str
    event: str
    label: str
    site: str | None
    reason: str | None
    due_on: date | None = None


class TrackOut(BaseModel):
    """The public timeline: no personal data."""

    tracking_code: str
    status: str
    status_label: str
    procedure: str
    receiving_site: str
    preferred_on: date
    slot: Slot
    due_on: date | None
    events: list[EventOut]


class PhoneProof(Strict):
    """The last 4 digits of the applicant's phone."""

    phone: str = Field(pattern=r"^\d{4}$")


class RescheduleIn(PhoneProof):
    """A new day and slot for the pickup."""

    preferred_on: Day
    slot: Slot
