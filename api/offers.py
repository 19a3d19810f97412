"""Pickup slots as a visitor reads them: weekday, dd/mm and the half-day's hours, in their language."""

from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import format_date

from api import i18n
from api.i18n import mark
from api.schemas.catalogue import SlotOut
from courier.dossiers.models import Slot
from courier.dossiers.slots import Offer

SLOT_NAMES: dict[Slot, str] = {Slot.MORNING: mark("Morning"), Slot.AFTERNOON: mark("Afternoon")}


def day_label(on: date, lang: str) -> str:
    """e.g. 'Thứ Hai 07/12', 'Monday 07/12'."""
    return format_date(on, "EEEE dd/MM", locale=lang)


def slot_name(slot: Slot, lang: str) -> str:
    """e.g. 'Sáng', 'Morning'."""
    return i18n.gettext(lang, SLOT_NAMES[slot])


def hours(offer: Offer, zone: ZoneInfo, lang: str) -> str:
    """e.g. '08:00–11:30'."""
    return f"{i18n.clock(offer.start, zone, lang)}–{i18n.clock(offer.end, zone, lang)}"


def slot_label(offer: Offer, zone: ZoneInfo, lang: str) -> str:
    """e.g. 'Sáng 08:00–11:30'."""
    return f"{slot_name(offer.slot, lang)} {hours(offer, zone, lang)}"


def slot_out(offer: Offer, zone: ZoneInfo, lang: str) -> SlotOut:
    """One offered slot for the API."""
    return SlotOut(
        on=offer.on,
        slot=offer.slot,
        start=offer.start,
        end=offer.end,
        day_label=day_label(offer.on, lang),
        label=slot_label(offer, zone, lang),
    )
