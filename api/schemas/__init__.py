"""Request and response bodies of the HTTP API."""

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from api.schemas.plans import LockOut as LockOut  # moved there; still importable from here
from api.schemas.plans import PlanOut as PlanOut
from api.schemas.plans import PlanRequestOut as PlanRequestOut
from api.schemas.plans import PlanRouteOut as PlanRouteOut
from courier.dossiers.models import JobKind, JobStatus, Leg, ResultReturn, Slot
from courier.dossiers.phones import InvalidPhone, normalise_mobile
from courier.enums import PartyKind
from courier.proofs.kinds import DocumentForm, PostponementReason, ProofRole


def _mobile(value: str) -> str:
    try:
        return normalise_mobile(value)
    except InvalidPhone as exc:
        # its own type, so api.problems says what to do in the visitor's language
        raise PydanticCustomError("phone_invalid", str(exc)) from None


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "datetime_without_zone", "give the time zone offset, e.g. 2026-11-23T09:15:00+07:00"
        )
    return value


VietnameseMobile = Annotated[str, AfterValidator(_mobile)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
IdempotencyKey = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


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
    consent: StrictBool = Field(
        description="explicit consent to personal-data processing (GET /api/v1/consent): the "
        "JSON value true only"
    )
    consent_version: str = Field(min_length=1, max_length=32)


class ConsentOut(BaseModel):
    """The consent text a booking agrees to: its version, in the asked language and in all."""

    version: str
    language: str
    text: str
    texts: dict[str, str]


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
    """A required document; `position` is what a pickup's checklist ticks."""

    position: int
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

    preferred_on: date
    slot: Slot


class PartyIn(Strict):
    """A giver or receiver."""

    kind: PartyKind
    id: int | None = None


class DocumentTickIn(Strict):
    """One required document of the procedure, as handed in."""

    position: int = Field(ge=0)
    form: DocumentForm


class HandoverIn(Strict):
    """A handover as the device records it."""

    idempotency_key: IdempotencyKey
    giver: PartyIn
    receiver: PartyIn
    tracking_codes: list[str] = Field(min_length=1, max_length=200)
    device_at: AwareDatetime
    site_id: int | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    fees_collected_vnd: int | None = Field(default=None, ge=0, le=1_000_000_000)
    seal_number: str | None = Field(default=None, min_length=1, max_length=32)
    documents: dict[str, list[DocumentTickIn]] = Field(
        default_factory=dict,
        description="for a pickup: per tracking code, each required document ticked",
    )


class HandoverItemOut(BaseModel):
    """What a handover did to one dossier, and its link in the dossier's custody chain."""

    tracking_code: str
    event: str
    from_status: str
    to_status: str
    seq: int | None
    link_hash: str | None


class ProofOut(BaseModel):
    """One stored image of a handover (the bytes are at `url`, for those it concerns)."""

    id: int
    role: ProofRole
    position: int
    media_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    removed_at: datetime | None
    url: str | None


class HandoverOut(BaseModel):
    """A recorded handover."""

    id: int
    recorded_at: datetime
    device_at: datetime
    giver: PartyIn
    receiver: PartyIn
    site_id: int | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    fees_collected_vnd: int
    seal_number: str | None
    documents: dict[str, Any] | None
    content_hash: str | None
    items: list[HandoverItemOut]
    proofs: list[ProofOut]
    receipt_png: str | None
    receipt_pdf: str | None


class CustodyProofOut(BaseModel):
    """An image digest in the chain and what verification found of the stored file."""

    role: ProofRole
    position: int
    sha256: str
    state: str


class CustodyLinkOut(BaseModel):
    """One record of a dossier's custody chain (no personal data: parties by kind and id)."""

    seq: int
    handover_id: int
    event: str
    giver: PartyIn
    receiver: PartyIn
    site_code: str | None
    device_at: datetime
    recorded_at: datetime
    content_hash: str | None
    prev_hash: str | None
    link_hash: str | None
    signature: str | None
    key_id: str | None
    proofs: list[CustodyProofOut]
    verified: bool
    problems: list[str]


class BrokenLinkOut(BaseModel):
    """The first record that does not verify, and why."""

    seq: int
    problem: str


class CustodyOut(BaseModel):
    """A dossier's custody chain and whether it verifies."""

    tracking_code: str
    verified: bool
    first_broken: BrokenLinkOut | None
    key_id: str
    public_key_url: str
    links: list[CustodyLinkOut]


class SigningKeyOut(BaseModel):
    """One custody-signing public key and its id, as links and receipts name it."""

    key_id: str
    status: Literal["current", "retired"]
    algorithm: str
    public_key_pem: str
    public_key_raw_base64: str


class PublicKeyOut(BaseModel):
    """The current custody-signing key (top level) and every published key, to check receipts."""

    key_id: str
    algorithm: str
    public_key_pem: str
    public_key_raw_base64: str
    keys: list[SigningKeyOut]
    signed_message: str


class PostponeIn(Strict):
    """The center moves the result date."""

    new_due_on: date
    reason: PostponementReason
    note: str = Field(default="", max_length=1000)


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


class AttemptOut(JobOut):
    """The job after a failed attempt, and the attempt recorded (the first one on a retry)."""

    attempt_id: int


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
    point_source: str = Field(
        description="how the point was set: given, gps, map, or ward (its centre: approximate)"
    )
    preferred_on: date
    slot: Slot
    result_return: ResultReturn
    holder_kind: str
    holder_id: int | None
    due_on: date | None
    created_at: datetime
    jobs: list[JobOut]


class TokenOut(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class DeviceTokenOut(TokenOut):
    """A phone's access token and the refresh token that renews it (rotated on each use)."""

    refresh_token: str
    refresh_expires_in: int = Field(description="seconds until the device session expires")
    device_id: int


class RefreshIn(Strict):
    """The phone's current refresh token."""

    refresh_token: str = Field(min_length=1, max_length=200)


class DeviceOut(BaseModel):
    """A phone signed in to an account."""

    id: int
    user_id: int
    username: str
    full_name: str
    courier_code: str | None
    name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoke_reason: str | None
    active: bool


class RevokeIn(Strict):
    """Why the phone is signed out (e.g. a lost phone)."""

    reason: str = Field(min_length=1, max_length=200)


class PlanIn(Strict):
    """Build the plan of a day; `depots` are post office codes (all when left out)."""

    service_on: date
    depots: list[str] | None = Field(default=None, min_length=1, max_length=200)


class LockIn(Strict):
    """Keep a job's pair on a courier; `position` fixes its place (0 = the route's first stop).

    A position past the end of the courier's route in this plan is refused (422, `position`).
    """

    job_id: int
    courier_id: int
    position: int | None = Field(default=None, ge=0, le=500)


class MoveIn(Strict):
    """Move a job's pair to another courier, wherever it fits best."""

    job_id: int
    courier_id: int


class ReplanIn(Strict):
    """Re-plan from a moment of the day (now when left out); `whole_day` ignores where couriers are."""

    at: AwareDatetime | None = None
    whole_day: bool = False


class RouteDocumentOut(BaseModel):
    """A document to collect at a pickup, as the procedure requires it."""

    position: int
    name_vi: str
    name_en: str
    original: bool
    copies: int


class RouteStopOut(BaseModel):
    """One stop of the courier's route: when, where, what to do, whom to meet, and how it went."""

    position: int
    job_id: int
    leg: Leg
    kind: JobKind
    action: str
    tracking_code: str
    procedure: str
    procedure_en: str
    planned_arrival: datetime | None = Field(description="null for a stop assigned by hand")
    window_start: datetime
    window_end: datetime
    address: str
    lat: float
    lon: float
    site_code: str | None
    site_id: int | None
    site_name: str | None
    fee_to_collect_vnd: int
    contact_name: str
    contact_phone: str | None
    status: Literal["pending", "done", "failed"]
    planned: bool = Field(description="on the published plan; false: assigned by a dispatcher")
    dossier_status: str
    point_source: str
    documents: list[RouteDocumentOut]
    navigation_url: str = Field(description="geo: URI that opens the phone's map app")


class PostOfficeOut(BaseModel):
    """A post office, in short."""

    id: int
    code: str
    name: str
    name_en: str


class CourierMeOut(BaseModel):
    """The signed-in courier's own record, and the phone's device session."""

    id: int
    code: str
    full_name: str
    phone: str
    vehicle: str
    capacity: int
    shift_start: time
    shift_end: time
    post_office: PostOfficeOut
    device_id: int | None


class CourierOut(BaseModel):
    """A courier on the roster, as a dispatcher sees it."""

    id: int
    code: str
    full_name: str
    phone: str
    post_office_code: str
    shift_start: time
    shift_end: time
    capacity: int
    vehicle: str


class SlotOut(BaseModel):
    """A pickup slot that can still be booked, with its labels in the caller's language."""

    on: date
    slot: Slot
    start: datetime
    end: datetime
    day_label: str = Field(description="weekday and dd/mm, e.g. 'Thứ Hai 07/12'")
    label: str = Field(description="the half-day and its hours, e.g. 'Sáng 08:00–11:30'")


class SlotsOut(BaseModel):
    """The slots of the next two weeks and the site that would receive the dossier."""

    receiving_site: SiteOut | None
    slots: list[SlotOut]


class WardOut(BaseModel):
    """A ward, commune or township, with the approximate centre a choice of it places."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_vi: str
    name_en: str
    district_vi: str
    district_en: str
    lat: float
    lon: float
