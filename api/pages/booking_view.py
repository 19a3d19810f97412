"""What the booking page shows: procedures by field, wards by district, the chosen procedure's
documents, fee and receiving site, the slots still open and how the pickup point was set."""

from dataclasses import dataclass, field
from itertools import groupby

from pydantic import BaseModel
from sqlalchemy.orm import Session

from api import i18n, offers
from api.i18n import mark
from courier.catalogue import service as catalogue
from courier.catalogue.models import Procedure, Site, Ward
from courier.db import utcnow
from courier.dossiers import slots
from courier.settings import Settings

# the catalogue stores a field's code; its name is the page's to say
FIELD_NAMES: dict[str, str] = {
    "civil_status": mark("Civil status"),
    "land": mark("Land"),
    "business": mark("Business registration"),
    "social_insurance": mark("Social and health insurance"),
    "judicial_records": mark("Judicial records"),
    "construction": mark("Construction"),
    "transport": mark("Transport"),
    "labour": mark("Labour and employment"),
    "education": mark("Education and training"),
    "attestation": mark("Attestation"),
    "residence": mark("Residence"),
}
LOCATED: dict[str, str] = {
    "gps": mark("Set from your phone's location (accurate to about %(m)s m)."),
    "map": mark("Set by the pin on the map."),
    "ward": mark(
        "Approximate: the centre of %(ward)s. The courier will call you to find the exact place."
    ),
    "": mark("Not set yet: choose your ward or commune, or use your phone's location."),
}
WEEKDAYS = mark("Monday to Friday %(morning)s and %(afternoon)s")
SATURDAY = mark("Saturday %(morning)s")
# what a kept value may hold when the page is shown again: the longest the schema accepts
KEEP_CHARS = {"applicant_name": 200, "address_text": 500, "phone": 20}


class BookForm(BaseModel):
    """The booking form as posted: every field text, checked by `BookingIn` (api.schemas.bookings) later."""

    procedure_code: str = ""
    applicant_name: str = ""
    phone: str = ""
    address_text: str = ""
    ward: str = ""
    lat: str = ""
    lon: str = ""
    located_by: str = ""
    accuracy_m: str = ""
    when: str = ""
    result_return: str = ""
    consent: str = ""
    consent_version: str = ""
    idempotency_key: str = ""
    step: str = ""

    def kept(self) -> "BookForm":
        """The values to show again, cut to what the schema accepts (nothing large echoed)."""
        cut = {name: getattr(self, name)[:size] for name, size in KEEP_CHARS.items()}
        short = {name: value[:100] for name, value in self.model_dump().items() if name not in cut}
        return BookForm(**short, **cut)


@dataclass(frozen=True)
class Point:
    """Where the courier should come and how that was set: gps, map or ward."""

    lat: float
    lon: float
    how: str
    accuracy_m: int | None = None
    ward: Ward | None = None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def locate(session: Session, form: BookForm) -> Point | None:
    """The browser's point (GPS or map pin) when it sent one, else the chosen ward's centre."""
    lat, lon = _number(form.lat), _number(form.lon)
    if form.located_by in ("gps", "map") and lat is not None and lon is not None:
        accuracy = _number(form.accuracy_m) if form.located_by == "gps" else None
        return Point(lat, lon, form.located_by, round(accuracy) if accuracy else None)
    ward = catalogue.get_ward(session, form.ward) if form.ward else None
    return Point(ward.lat, ward.lon, "ward", ward=ward) if ward else None


def located_text(point: Point | None, lang: str) -> str:
    """How the pickup point was set, in the language."""
    if point is None:
        return i18n.gettext(lang, LOCATED[""])
    ward = point.ward
    name = (ward.name_vi if lang == "vi" else ward.name_en) if ward else ""
    return i18n.gettext(lang, LOCATED[point.how]) % {"m": point.accuracy_m or "?", "ward": name}


def procedure_groups(procedures: list[Procedure], lang: str) -> list[tuple[str, list[Procedure]]]:
    """Procedures under their field's name, in the catalogue's order."""
    return [
        (i18n.gettext(lang, FIELD_NAMES.get(key, key)), list(items))
        for key, items in groupby(procedures, key=lambda p: p.field)
    ]


def ward_groups(wards: list[Ward], lang: str) -> list[tuple[str, list[Ward]]]:
    """Wards under their district's name."""
    return [
        (district, list(items))
        for district, items in groupby(
            wards, key=lambda w: w.district_vi if lang == "vi" else w.district_en
        )
    ]


def opening_hours(site: Site, lang: str) -> str:
    """e.g. 'Thứ Hai đến Thứ Sáu 07:30–11:30 và 13:00–17:00; Thứ Bảy 07:30–11:30'."""
    morning = f"{site.morning_opens:%H:%M}–{site.morning_closes:%H:%M}"
    afternoon = f"{site.afternoon_opens:%H:%M}–{site.afternoon_closes:%H:%M}"
    text = i18n.gettext(lang, WEEKDAYS) % {"morning": morning, "afternoon": afternoon}
    if site.saturday_morning:
        text += "; " + i18n.gettext(lang, SATURDAY) % {"morning": morning}
    return text


@dataclass
class SlotChoice:
    """One radio of the slot list."""

    value: str
    name: str
    hours: str
    checked: bool


@dataclass
class Parts:
    """The parts of the page that depend on the procedure and the point."""

    procedure: Procedure | None = None
    site: Site | None = None
    days: list[tuple[str, list[SlotChoice]]] = field(default_factory=list)
    hours: str = ""


def parts(session: Session, settings: Settings, form: BookForm, lang: str) -> Parts:
    """The chosen procedure, its receiving site for the point, and the slots still open."""
    procedure = (
        catalogue.get_procedure(session, form.procedure_code) if form.procedure_code else None
    )
    point = locate(session, form)
    site = (
        catalogue.receiving_site(session, procedure, point.lat, point.lon)
        if procedure and point
        else None
    )
    days = [
        (
            offers.day_label(on, lang),
            [
                SlotChoice(
                    f"{o.on}/{o.slot}",
                    offers.slot_name(o.slot, lang),
                    offers.hours(o, settings.zone, lang),
                    f"{o.on}/{o.slot}" == form.when,
                )
                for o in day_offers
            ],
        )
        for on, day_offers in groupby(slots.available(site, settings, utcnow()), key=lambda o: o.on)
    ]
    return Parts(procedure, site, days, opening_hours(site, lang) if site else "")
