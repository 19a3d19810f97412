"""Request and response bodies of the HTTP API."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from courier.dossiers.models import JobKind, JobStatus, Leg, ResultReturn, Slot
from courier.dossiers.phones import InvalidPhone, normalise_mobile
from courier.enums import PartyKind


def _mobile(value: str) -> str:
    try:
        return normalise_mobile(value)
    except InvalidPhone as exc:
        raise ValueError(str(exc)) from None


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give the time zone offset, e.g. 2026-11-23T09:15:00+07:00")
    return value


VietnameseMobile = Annotated[str, AfterValidator(_mobile)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class Strict(BaseModel):
    """Bodies refuse unknown fields and trim text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BookingIn(Strict):
    """A pickup booking."""

    applicant_name: str = Field(min_length=2, max_length=200)
    phone: VietnameseMobile = Field(
        description="Vietnamese mobile, e.g. 0912345678 or +84912345678"
    )
    address_text: str = Field(min_length=5, max_length=500)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    procedure_code: str = Field(min_length=1, max_length=32)
    preferred_on: date
    slot: Slot
    result_return: ResultReturn
    consent: bool = Field(description="explicit consent to personal-data processing")
    consent_version: str = Field(min_length=1, max_length=32)


class BatchIn(Strict):
    """Many bookings, all or nothing."""

    rows: list[BookingIn] = Field(min_length=1, max_length=500)


class FeeOut(BaseModel):
    """A fee quote in whole đồng."""

    procedure_fee_vnd: int
    pickup_fee_vnd: int
    return_fee_vnd: int
    total_vnd: int


class SiteOut(BaseModel):
    """A site of the catalogue."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: str
    name_vi: str
    name_en: str
    district: str
    address: str
    lat: float
    lon: float
    opening_hours: str


class WindowOut(BaseModel):
    """A time window, shown in the service's time zone."""

    start: datetime
    end: datetime


class BookingOut(BaseModel):
    """What a booking answers."""

    tracking_code: str
    status: str
    fee: FeeOut
    receiving_site: SiteOut
    pickup_window: WindowOut
    tracking_url: str


class BatchOut(BaseModel):
    """The bookings a batch created, in row order."""

    bookings: list[BookingOut]


class DocumentOut(BaseModel):
    """A required document."""

    name_vi: str
    name_en: str
    form: str
    copies: int


class ProcedureOut(BaseModel):
    """A procedure of the catalogue."""

    code: str
    field: str
    name_vi: str
    name_en: str
    receiving_kind: str
    fee_vnd: int
    processing_days: int
    documents: list[DocumentOut]


class EventOut(BaseModel):
    """One public step of the timeline."""

    at: datetime
    code: str
    event: str
    label: str
    site: str | None
    reason: str | None


class TrackOut(BaseModel):
    """The public timeline: no personal data."""

    tracking_code: str
    status: str
    status_label: str
    procedure: str
    receiving_site: str
    preferred_on: date
    slot: Slot
    events: list[EventOut]


class PhoneProof(Strict):
    """The last 4 digits of the applicant's phone."""

    phone: str = Field(pattern=r"^\d{4}$")


class RescheduleIn(PhoneProof):
    """A new day and slot for the pickup."""

    preferred_on: date
    slot: Slot


class PartyIn(Strict):
    """A giver or receiver."""

    kind: PartyKind
    id: int | None = None


class HandoverIn(Strict):
    """A handover as the device records it."""

    idempotency_key: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    giver: PartyIn
    receiver: PartyIn
    tracking_codes: list[str] = Field(min_length=1, max_length=200)
    device_at: AwareDatetime
    site_id: int | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    fees_collected_vnd: int = Field(default=0, ge=0)


class HandoverItemOut(BaseModel):
    """What a handover did to one dossier."""

    tracking_code: str
    event: str
    from_status: str
    to_status: str


class HandoverOut(BaseModel):
    """A recorded handover."""

    id: int
    recorded_at: datetime
    device_at: datetime
    giver: PartyIn
    receiver: PartyIn
    items: list[HandoverItemOut]


class AttemptIn(Strict):
    """A failed attempt at a stop."""

    reason: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=1000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class AssignIn(Strict):
    """A courier for a job pair."""

    courier_id: int


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


class DossierOut(BaseModel):
    """A dossier with its personal data, for those it concerns."""

    tracking_code: str
    status: str
    procedure_code: str
    receiving_site_code: str
    applicant_name: str
    applicant_phone: str
    address_text: str
    lat: float
    lon: float
    preferred_on: date
    slot: Slot
    result_return: ResultReturn
    holder_kind: str
    holder_id: int | None
    created_at: datetime
    jobs: list[JobOut]


class TokenOut(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
