"""A courier's demo day: pickups booked near their post office and assigned to them by hand, so
that the courier app opens on a real route (`courier demo day`)."""

import math
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.actors import SYSTEM
from courier.db import utcnow
from courier.demo import data
from courier.demo.generator import _address, _full_name, _mobile_phone
from courier.dossiers import booking, jobs
from courier.dossiers.models import Dossier, JobKind, Leg, ResultReturn, Slot
from courier.dossiers.phones import normalise_mobile
from courier.errors import Conflict
from courier.fleet.models import Courier
from courier.settings import Settings

# a few kilometres around the post office: a morning's ride on a motorbike
RADIUS_KM = 3.0
KM_PER_DEGREE = 111.0


@dataclass(frozen=True, slots=True)
class DemoDay:
    """What `book_day` made: the courier, the day and the dossiers booked and assigned."""

    courier_code: str
    on: date
    tracking_codes: tuple[str, ...]


def book_day(
    session: Session,
    settings: Settings,
    *,
    courier_code: str,
    on: date,
    count: int,
    seed: int | None = None,
) -> DemoDay:
    """Book `count` pickups near the courier's post office on a day (slots not yet over, several
    procedures) and assign each pair to the courier as a dispatcher would by hand."""
    courier = session.scalar(select(Courier).where(Courier.code == courier_code.upper()))
    if courier is None:
        raise Conflict(f"no courier {courier_code}")
    slots = _open_slots(on, settings)
    rng = random.Random(seed)
    area = _nearest_area(courier.home_post_office.lat, courier.home_post_office.lon)
    procedures = [p.code for p in data.PROCEDURES]
    rng.shuffle(procedures)
    requests = [
        _request(
            rng,
            area,
            courier,
            procedures[i % len(procedures)],
            slots[i % len(slots)],
            on,
            settings.consent_version,
        )
        for i in range(count)
    ]
    made = booking.book_batch_unbounded(session, requests, settings, SYSTEM)
    for dossier, _ in made:
        jobs.assign_pair(session, _pickup_id(dossier), courier.id, SYSTEM)
    return DemoDay(courier.code, on, tuple(d.tracking_code for d, _ in made))


def _open_slots(on: date, settings: Settings) -> list[Slot]:
    """The day's slots a booking may still take (today's morning is over by noon)."""
    now = utcnow()
    slots = [s for s in Slot if not booking.check_day(on, s, settings, now)]
    if not slots:
        raise Conflict(f"no pickup slot is left on {on.isoformat()}: choose a later working day")
    return slots


def _nearest_area(lat: float, lon: float) -> data.PopulationArea:
    return min(data.POPULATION_AREAS, key=lambda a: (a.lat - lat) ** 2 + (a.lon - lon) ** 2)


def _request(
    rng: random.Random,
    area: data.PopulationArea,
    courier: Courier,
    procedure_code: str,
    slot: Slot,
    on: date,
    consent_version: str,
) -> booking.BookingRequest:
    office = courier.home_post_office
    distance, bearing = RADIUS_KM * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat = office.lat + distance * math.cos(bearing) / KM_PER_DEGREE
    lon = office.lon + distance * math.sin(bearing) / (
        KM_PER_DEGREE * math.cos(math.radians(office.lat))
    )
    return booking.BookingRequest(
        applicant_name=_full_name(rng),
        phone=normalise_mobile(_mobile_phone(rng)),
        address_text=_address(rng, area),
        lat=round(lat, 6),
        lon=round(lon, 6),
        procedure_code=procedure_code,
        preferred_on=on,
        slot=slot,
        result_return=rng.choice(list(ResultReturn)),
        consent=True,
        consent_version=consent_version,
    )


def _pickup_id(dossier: Dossier) -> int:
    return next(j.id for j in dossier.jobs if (j.leg, j.kind) == (Leg.INBOUND, JobKind.PICKUP))
