"""Load the demo province into the database (safe to run again: it updates by code)."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.actors import SYSTEM
from courier.catalogue.models import Procedure, RequiredDocument, Site, Ward
from courier.demo import data
from courier.demo.wards import WARDS, WardSpec
from courier.dossiers import booking
from courier.dossiers.models import ResultReturn, Slot
from courier.fleet.models import Courier
from courier.settings import Settings


@dataclass(frozen=True, slots=True)
class LoadReport:
    """How many rows of each kind the demo holds after loading."""

    sites: int
    procedures: int
    couriers: int
    accounts: int
    wards: int


def load_demo(session: Session) -> LoadReport:
    """Sites, procedures, couriers and the documented demo accounts."""
    sites = {spec.code: _upsert_site(session, spec) for spec in data.SITES}
    for spec in data.SITES:
        if spec.parent_code:
            sites[spec.code].parent_id = sites[spec.parent_code].id
    for proc in data.PROCEDURES:
        _upsert_procedure(session, proc)
    wards = {w.code: w for w in session.scalars(select(Ward))}
    for ward in WARDS:
        _upsert_ward(session, ward, wards.get(ward.code))
    users = {a.username: _upsert_account(session, a, sites) for a in data.ACCOUNTS}
    by_courier = {a.courier_code: users[a.username] for a in data.ACCOUNTS if a.courier_code}
    for courier_spec in data.COURIERS:
        _upsert_courier(session, courier_spec, sites, by_courier.get(courier_spec.code))
    session.flush()
    return LoadReport(
        len(data.SITES), len(data.PROCEDURES), len(data.COURIERS), len(data.ACCOUNTS), len(WARDS)
    )


def _upsert_site(session: Session, spec: data.SiteSpec) -> Site:
    site = session.scalar(select(Site).where(Site.code == spec.code)) or Site(code=spec.code)
    hours = spec.hours
    site.kind, site.name_vi, site.name_en = spec.kind, spec.name_vi, spec.name_en
    site.district, site.address, site.lat, site.lon = (
        spec.district,
        spec.address,
        spec.lat,
        spec.lon,
    )
    site.morning_opens, site.morning_closes = hours.morning
    site.afternoon_opens, site.afternoon_closes = hours.afternoon
    site.open_weekdays = "".join(str(d) for d in sorted(hours.weekdays))
    site.saturday_morning = hours.saturday_morning
    session.add(site)
    session.flush()
    return site


def _upsert_procedure(session: Session, spec: data.ProcedureSpec) -> None:
    proc = session.scalar(select(Procedure).where(Procedure.code == spec.code))
    proc = proc or Procedure(code=spec.code)
    proc.field, proc.name_vi, proc.name_en = spec.field, spec.name_vi, spec.name_en
    proc.receiving_kind, proc.fee_vnd = spec.receiving_kind, spec.fee_vnd
    proc.processing_days, proc.active = spec.processing_days, True
    if proc.documents:
        proc.documents.clear()
        session.flush()  # the old rows go before the new ones take their positions
    proc.documents = [
        RequiredDocument(
            position=i,
            name_vi=d.name_vi,
            name_en=d.name_en,
            original=d.form == "original",
            copies=d.copies,
        )
        for i, d in enumerate(spec.documents)
    ]
    session.add(proc)
    session.flush()


def _upsert_ward(session: Session, spec: WardSpec, ward: Ward | None) -> None:
    ward = ward or Ward(code=spec.code)
    ward.name_vi, ward.name_en = spec.name_vi, spec.name_en
    ward.district_vi, ward.district_en = spec.district_vi, spec.district_en
    ward.lat, ward.lon = spec.lat, spec.lon
    session.add(ward)


def _upsert_account(session: Session, spec: data.AccountSpec, sites: dict[str, Site]) -> User:
    user = session.scalar(select(User).where(User.username == spec.username))
    if user is None:
        user = User(username=spec.username, password_hash=_demo_hash(spec.password))
        session.add(user)
    user.role, user.full_name = spec.role, spec.full_name
    user.site_id = sites[spec.site_code].id if spec.site_code else None
    session.flush()
    return user


@cache
def _demo_hash(password: str) -> str:
    # the demo accounts share a few documented passwords: one Argon2 hash each keeps loading fast
    return accounts.hash_password(password)


def _upsert_courier(
    session: Session, spec: data.CourierSpec, sites: dict[str, Site], user: User | None
) -> None:
    courier = session.scalar(select(Courier).where(Courier.code == spec.code))
    courier = courier or Courier(code=spec.code)
    courier.full_name, courier.phone = spec.full_name, spec.phone
    courier.home_post_office_id = sites[spec.home_post_office_code].id
    courier.shift_start, courier.shift_end = spec.shift_start, spec.shift_end
    courier.capacity, courier.vehicle, courier.speed_kmh = (
        spec.capacity,
        spec.vehicle,
        spec.speed_kmh,
    )
    courier.user_id = user.id if user else None
    session.add(courier)


def load_bookings(session: Session, settings: Settings, *, on: date, count: int, seed: int) -> int:
    """Generate realistic bookings for a day and book them through the normal booking rules."""
    from courier.demo.generator import generate_bookings

    requests = [
        booking.BookingRequest(
            applicant_name=b.applicant_name,
            phone=_e164(b.phone),
            address_text=b.address_text,
            lat=b.lat,
            lon=b.lon,
            procedure_code=b.procedure_code,
            preferred_on=b.preferred_on,
            slot=Slot(b.slot),
            result_return=ResultReturn(b.result_return),
            consent=True,
            consent_version=settings.consent_version,
        )
        for b in generate_bookings(on, count, seed)
    ]
    return len(booking.book_batch_unbounded(session, requests, settings, SYSTEM))


def _e164(phone: str) -> str:
    from courier.dossiers.phones import normalise_mobile

    return normalise_mobile(phone)
