"""The pickup slots a citizen can still choose, for the booking page and rescheduling.

Couriers pick up on working days (morning and afternoon, `courier.calendar`) and on the
Saturday mornings of a receiving site that opens its counter then. A slot is offered while it
is still ahead: today's morning until 08:00, today's afternoon until 13:30.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from courier import calendar
from courier.catalogue import service as catalogue
from courier.catalogue.models import Site
from courier.dossiers.models import Slot
from courier.errors import FieldProblem, InvalidInput
from courier.settings import Settings
from courier.text import mark

DAYS_AHEAD = 14
# the booking check's words for the same mistake
UNKNOWN_PROCEDURE = mark("no procedure has this code: please choose one from the list")


@dataclass(frozen=True, slots=True)
class Offer:
    """A slot that can still be booked, with its window in UTC."""

    on: date
    slot: Slot
    start: datetime
    end: datetime


def serves(on: date, slot: Slot, site: Site | None) -> bool:
    """True when couriers pick up then: a working day, or a Saturday morning the site opens."""
    if calendar.is_working_day(on):
        return True
    return site is not None and slot is Slot.MORNING and catalogue.is_open_on(site, on)


def available(
    site: Site | None, settings: Settings, now: datetime, days: int = DAYS_AHEAD
) -> list[Offer]:
    """The slots from today over `days` days that have not begun, in order."""
    today = calendar.local_today(now, settings.zone)
    offers = []
    for offset in range(days):
        on = today + timedelta(days=offset)
        for slot in Slot:
            if not serves(on, slot, site):
                continue
            start, end = calendar.slot_window(on, slot, settings.zone)
            if start > now:
                offers.append(Offer(on, slot, start, end))
    return offers


def site_for(
    session: Session, procedure_code: str | None, lat: float | None, lon: float | None
) -> Site | None:
    """The site receiving the procedure from that point; None until both are known."""
    if not procedure_code or lat is None or lon is None:
        return None
    procedure = catalogue.get_procedure(session, procedure_code)
    if procedure is None:
        raise InvalidInput(
            [FieldProblem(("procedure_code",), UNKNOWN_PROCEDURE, "unknown_procedure")]
        )
    return catalogue.receiving_site(session, procedure, lat, lon)
