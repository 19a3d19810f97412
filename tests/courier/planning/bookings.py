"""Bookings for plan tests: the demo generator's, spread over the province or near one depot."""

import random
from datetime import date

from sqlalchemy.orm import Session

from courier.actors import SYSTEM
from courier.demo.generator import generate_bookings
from courier.demo.load import load_bookings
from courier.dossiers import booking
from courier.dossiers.phones import normalise_mobile
from courier.settings import Settings
from tests.builders import booking_day

DEPOT = "BD-PO-TDM-1"
NEAR_DEPOT = (10.983, 106.655)


def book_near_depot(session: Session, settings: Settings, day: date, count: int) -> None:
    """`count` generated bookings moved to within about 2 km of the depot."""
    jitter = random.Random(3)
    requests = [
        booking.BookingRequest(
            applicant_name=spec.applicant_name,
            phone=normalise_mobile(spec.phone),
            address_text=spec.address_text,
            lat=NEAR_DEPOT[0] + jitter.uniform(-0.018, 0.018),
            lon=NEAR_DEPOT[1] + jitter.uniform(-0.012, 0.012),
            procedure_code=spec.procedure_code,
            preferred_on=spec.preferred_on,
            slot=spec.slot,
            result_return=spec.result_return,
            consent=True,
            consent_version=settings.consent_version,
        )
        for spec in generate_bookings(day, count, seed=5)
    ]
    booking.book_batch_unbounded(session, requests, settings, SYSTEM)


def bookings_day(session: Session, settings: Settings) -> date:
    """Forty bookings over the province and sixteen near the depot, next working day, committed."""
    day = booking_day()
    load_bookings(session, settings, on=day, count=40, seed=7)
    book_near_depot(session, settings, day, 16)
    session.commit()
    return day
