"""Booking a pickup: checks every field, quotes the fee, creates the dossier and its job pair."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import calendar, dispatch
from courier.actors import Actor
from courier.catalogue import service as catalogue
from courier.catalogue.models import Procedure, Site
from courier.db import utcnow
from courier.dossiers import codes, idempotency, jobs, slots
from courier.dossiers.models import Dossier, DossierStatus, PointSource, ResultReturn, Slot
from courier.dossiers.service import record_event
from courier.dossiers.states import Event
from courier.enums import PartyKind
from courier.errors import FieldProblem, InvalidInput
from courier.settings import Settings
from courier.text import mark
from routing.matrix import LatLon

MAX_BATCH = 500
# how far ahead a pickup may be booked (or moved): the slots list shows the next two weeks
BOOKING_DAYS_AHEAD = 60

# what a citizen reads beside the field (English catalogue ids, translated by the API and pages)
OUTSIDE_AREA = mark(
    "the address must lie in the province (between %(low)s and %(high)s): "
    "please check the address or the pin on the map"
)
PAST_DAY = mark("please choose today or a later day")
NOT_WORKING_DAY = mark("please choose a working day (Monday to Friday, not a public holiday)")
SLOT_ENDED = mark("this time of day has already ended today: please choose a later one")
NO_CONSENT = mark("please read the consent text and tick the box to agree")
OLD_CONSENT = mark(
    "the consent text has changed (now version %(version)s): please read it again and agree"
)
NO_PROCEDURE = mark("no procedure has this code: please choose one from the list")
NO_SITE = mark("no center receives this procedure for this address: please check the address")
TOO_MANY_ROWS = mark("please send at most %(max)s rows at a time")


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
    point_source: PointSource = PointSource.GIVEN


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
    problems = _check_area(request, settings)
    procedure = catalogue.get_procedure(session, request.procedure_code)
    site = (
        catalogue.receiving_site(session, procedure, request.lat, request.lon)
        if procedure
        else None
    )
    problems += check_day(request.preferred_on, request.slot, settings, now, site)
    problems += _check_consent(request, settings)
    if procedure is None:
        problems.append(FieldProblem(("procedure_code",), NO_PROCEDURE, "unknown_procedure"))
        return None, problems
    if site is None:
        problems.append(FieldProblem(("procedure_code",), NO_SITE, "no_receiving_site"))
        return None, problems
    return _Checked(procedure, site), problems


def _check_area(request: BookingRequest, settings: Settings) -> list[FieldProblem]:
    south, west, north, east = settings.service_area
    problems = []
    if not south <= request.lat <= north:
        bounds = {"low": south, "high": north}
        problems.append(FieldProblem(("lat",), OUTSIDE_AREA, "outside_service_area", bounds))
    if not west <= request.lon <= east:
        bounds = {"low": west, "high": east}
        problems.append(FieldProblem(("lon",), OUTSIDE_AREA, "outside_service_area", bounds))
    return problems


def _check_consent(request: BookingRequest, settings: Settings) -> list[FieldProblem]:
    problems = []
    if not request.consent:
        problems.append(FieldProblem(("consent",), NO_CONSENT, "consent_required"))
    if request.consent_version != settings.consent_version:
        current = {"version": settings.consent_version}
        problems.append(
            FieldProblem(("consent_version",), OLD_CONSENT, "consent_outdated", current)
        )
    return problems


def check_day(
    on: date, slot: Slot, settings: Settings, now: datetime, site: Site | None = None
) -> list[FieldProblem]:
    """The day and slot rules: not past, a working day or the site's Saturday morning."""
    today = calendar.local_today(now, settings.zone)
    if on < today:
        return [FieldProblem(("preferred_on",), PAST_DAY, "day_in_past")]
    if too_far := calendar.beyond_horizon("preferred_on", on, today, BOOKING_DAYS_AHEAD):
        return too_far
    if not slots.serves(on, slot, site):
        return [FieldProblem(("preferred_on",), NOT_WORKING_DAY, "not_a_working_day")]
    _, slot_end = calendar.slot_window(on, slot, settings.zone)
    if slot_end <= now:
        return [FieldProblem(("slot",), SLOT_ENDED, "slot_ended")]
    return []


def book(
    session: Session,
    request: BookingRequest,
    settings: Settings,
    actor: Actor,
    idempotency_key: str | None = None,
) -> tuple[Dossier, Quote]:
    """Create the dossier, its tracking event and its inbound job pair; `InvalidInput` if bad.

    With an idempotency key, a request already made with it (same body, same caller) answers
    its dossier again; another body with the caller's key is `InvalidInput` naming the key
    (a key another caller booked with is new to this one).
    """
    done = replayed(session, request, actor, idempotency_key)
    if done is not None:
        return done, quote_of(done, settings)
    checked, problems = check(session, request, settings, utcnow())
    if problems or checked is None:
        raise InvalidInput(problems)
    new = _New(request, checked, _serving_offices(session, [request])[0])
    if not idempotency_key:
        return _create(session, new, settings, actor)
    made = idempotency.create_once(
        session,
        idempotency_key,
        request,
        actor,
        lambda keyed: _create(session, new, settings, actor, keyed),
    )
    return made if isinstance(made, tuple) else (made, quote_of(made, settings))


def replayed(
    session: Session, request: BookingRequest, actor: Actor, idempotency_key: str | None
) -> Dossier | None:
    """The dossier the caller's earlier request with this key made (None if none); `InvalidInput`
    if the key came with another body."""
    if not idempotency_key:
        return None
    return idempotency.replay(session, idempotency_key, request, actor)


def quote_of(dossier: Dossier, settings: Settings) -> Quote:
    """The quote a dossier was booked with (the pickup fee as set now, within its service fee)."""
    pickup = min(settings.pickup_fee_vnd, dossier.service_fee_vnd)
    return Quote(dossier.procedure_fee_vnd, pickup, dossier.service_fee_vnd - pickup)


def booked_since(session: Session, phone: str, since: datetime) -> list[datetime]:
    """When the phone's bookings since a moment were made, oldest first."""
    return list(
        session.scalars(
            select(Dossier.created_at)
            .where(Dossier.applicant_phone == phone, Dossier.created_at >= since)
            .order_by(Dossier.created_at)
        )
    )


def book_batch(
    session: Session, requests: list[BookingRequest], settings: Settings, actor: Actor
) -> list[tuple[Dossier, Quote]]:
    """All rows or none: every bad row's problems are reported with its index."""
    if len(requests) > MAX_BATCH:
        limit = {"max": MAX_BATCH}
        raise InvalidInput([FieldProblem(("rows",), TOO_MANY_ROWS, "too_many_rows", limit)])
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
        problems += [
            FieldProblem(("rows", index, *p.loc), p.msg, p.type, p.params) for p in row_problems
        ]
        checked_rows.append(checked)
    if problems:
        raise InvalidInput(problems)
    offices = _serving_offices(session, requests)
    return [
        _create(session, _New(request, checked, office), settings, actor)
        for request, checked, office in zip(requests, checked_rows, offices, strict=True)
        if checked is not None
    ]


def _serving_offices(session: Session, requests: list[BookingRequest]) -> list[int | None]:
    """The post office that serves each booking: the one nearest its citizen (courier.dispatch)."""
    return dispatch.nearest_offices(session, [LatLon(r.lat, r.lon) for r in requests])


@dataclass(frozen=True, slots=True)
class _New:
    request: BookingRequest
    checked: _Checked
    post_office_id: int | None


def _create(
    session: Session,
    new: _New,
    settings: Settings,
    actor: Actor,
    keyed: tuple[str, str] | None = None,
) -> tuple[Dossier, Quote]:
    request, checked = new.request, new.checked
    fees = quote(checked.procedure, request.result_return, settings)
    now = utcnow()
    dossier = Dossier(
        tracking_code=_unused_code(session),
        procedure=checked.procedure,
        receiving_site=checked.site,
        post_office_id=new.post_office_id,
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
        point_source=request.point_source,
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
        idempotency_key=keyed[0] if keyed else None,
        request_digest=keyed[1] if keyed else None,
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
