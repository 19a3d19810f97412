"""Booking a pickup: checks every field, quotes the fee, creates the dossier and its job pair."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import calendar
from courier.actors import Actor
from courier.catalogue import service as catalogue
from courier.catalogue.models import Procedure, Site
from courier.db import utcnow
from courier.dossiers import codes, jobs
from courier.dossiers.models import Dossier, DossierStatus, ResultReturn, Slot
from courier.dossiers.service import record_event
from courier.dossiers.states import Event
from courier.enums import PartyKind
from courier.errors import FieldProblem, InvalidInput
from courier.settings import Settings

MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """What a citizen asks for; the phone is already a normalised Vietnamese mobile."""

    applicant_name: str
    phone: str
    address_text: str
    lat: float
    lon: float
    procedure_code: str
    preferred_on: date
    slot: Slot
    result_return: ResultReturn
    consent: bool
    consent_version: str


@dataclass(frozen=True, slots=True)
class Quote:
    """What the citizen will pay, in whole đồng."""

    procedure_fee_vnd: int
    pickup_fee_vnd: int
    return_fee_vnd: int

    @property
    def total_vnd(self) -> int:
        """Everything together."""
        return self.procedure_fee_vnd + self.pickup_fee_vnd + self.return_fee_vnd


def quote(procedure: Procedure, result_return: ResultReturn, settings: Settings) -> Quote:
    """The fee quote for a procedure and a way of getting the result back."""
    return_fee = settings.return_fee_vnd if result_return is ResultReturn.POST else 0
    return Quote(procedure.fee_vnd, settings.pickup_fee_vnd, return_fee)


@dataclass(frozen=True, slots=True)
class _Checked:
    procedure: Procedure
    site: Site


def check(
    session: Session, request: BookingRequest, settings: Settings, now: datetime
) -> tuple[_Checked | None, list[FieldProblem]]:
    """Every domain rule a booking must meet, each failure naming its field."""
    problems: list[FieldProblem] = []
    south, west, north, east = settings.service_area
    if not south <= request.lat <= north:
        problems.append(FieldProblem(("lat",), f"must lie in the service area ({south}..{north})"))
    if not west <= request.lon <= east:
        problems.append(FieldProblem(("lon",), f"must lie in the service area ({west}..{east})"))
    problems += _check_day(request, settings, now)
    if not request.consent:
        problems.append(
            FieldProblem(("consent",), "consent to personal-data processing is required")
        )
    if request.consent_version != settings.consent_version:
        problems.append(
            FieldProblem(
                ("consent_version",),
                f"the current consent text is version {settings.consent_version}",
            )
        )
    procedure = catalogue.get_procedure(session, request.procedure_code)
    if procedure is None:
        problems.append(FieldProblem(("procedure_code",), "no such procedure"))
        return None, problems
    site = catalogue.receiving_site(session, procedure, request.lat, request.lon)
    if site is None:
        problems.append(FieldProblem(("procedure_code",), "no site receives this procedure"))
        return None, problems
    return _Checked(procedure, site), problems


def _check_day(request: BookingRequest, settings: Settings, now: datetime) -> list[FieldProblem]:
    return check_day(request.preferred_on, request.slot, settings, now)


def check_day(on: date, slot: Slot, settings: Settings, now: datetime) -> list[FieldProblem]:
    today = calendar.local_today(now, settings.zone)
    if on < today:
        return [FieldProblem(("preferred_on",), "must not be in the past")]
    if not calendar.is_working_day(on):
        return [
            FieldProblem(("preferred_on",), "must be a working day (Monday-Friday, no holiday)")
        ]
    _, slot_end = calendar.slot_window(on, slot, settings.zone)
    if slot_end <= now:
        return [FieldProblem(("slot",), "this slot has already ended today")]
    return []


def book(
    session: Session, request: BookingRequest, settings: Settings, actor: Actor
) -> tuple[Dossier, Quote]:
    """Create the dossier, its tracking event and its inbound job pair; `InvalidInput` if bad."""
    checked, problems = check(session, request, settings, utcnow())
    if problems or checked is None:
        raise InvalidInput(problems)
    return _create(session, request, checked, settings, actor)


def book_batch(
    session: Session, requests: list[BookingRequest], settings: Settings, actor: Actor
) -> list[tuple[Dossier, Quote]]:
    """All rows or none: every bad row's problems are reported with its index."""
    if len(requests) > MAX_BATCH:
        raise InvalidInput([FieldProblem(("rows",), f"at most {MAX_BATCH} rows per batch")])
    return book_batch_unbounded(session, requests, settings, actor)


def book_batch_unbounded(
    session: Session, requests: list[BookingRequest], settings: Settings, actor: Actor
) -> list[tuple[Dossier, Quote]]:
    """A batch of any size (operators' demo loads); the API caps batches at MAX_BATCH."""
    now = utcnow()
    checked_rows = []
    problems: list[FieldProblem] = []
    for index, request in enumerate(requests):
        checked, row_problems = check(session, request, settings, now)
        problems += [FieldProblem(("rows", index, *p.loc), p.msg, p.type) for p in row_problems]
        checked_rows.append(checked)
    if problems:
        raise InvalidInput(problems)
    return [
        _create(session, request, checked, settings, actor)
        for request, checked in zip(requests, checked_rows, strict=True)
        if checked is not None
    ]


def _create(
    session: Session, request: BookingRequest, checked: _Checked, settings: Settings, actor: Actor
) -> tuple[Dossier, Quote]:
    fees = quote(checked.procedure, request.result_return, settings)
    now = utcnow()
    dossier = Dossier(
        tracking_code=_unused_code(session),
        procedure=checked.procedure,
        receiving_site=checked.site,
        owner_id=actor.owner_id
        if actor.kind == "api_key"
        else actor.id
        if actor.kind == "user"
        else None,
        applicant_name=request.applicant_name,
        applicant_phone=request.phone,
        address_text=request.address_text,
        lat=request.lat,
        lon=request.lon,
        preferred_on=request.preferred_on,
        slot=request.slot,
        result_return=request.result_return,
        consent_version=request.consent_version,
        consent_at=now,
        procedure_fee_vnd=fees.procedure_fee_vnd,
        service_fee_vnd=fees.pickup_fee_vnd + fees.return_fee_vnd,
        status=DossierStatus.BOOKED,
        status_changed_at=now,
        holder_kind=PartyKind.CITIZEN,
        holder_id=None,
        created_at=now,
    )
    session.add(dossier)
    session.flush()
    record_event(session, dossier, Event.BOOK, actor, from_status=None)
    jobs.create_inbound_pair(session, dossier, settings)
    return dossier, fees


def _unused_code(session: Session) -> str:
    for _ in range(20):
        code = codes.new_tracking_code()
        if session.scalar(select(Dossier.id).where(Dossier.tracking_code == code)) is None:
            return code
    raise RuntimeError("could not find a free tracking code in 20 tries")
