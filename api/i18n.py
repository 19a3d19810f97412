"""Translations for pages and API messages: gettext catalogues read with Babel, Vietnamese first.

The catalogues themselves are `courier.i18n`'s (the English text is the message id); this module
adds the visitor's language and the formats of dates, times and money.
The visitor's language is the one they chose with the switch (a cookie), else the first of
Vietnamese or English in `Accept-Language`, else Vietnamese.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from starlette.requests import HTTPConnection

from courier.i18n import DEFAULT, LANGUAGES, catalogue, catalogue_path, gettext, ngettext
from courier.text import mark

__all__ = ["DEFAULT", "LANGUAGES", "catalogue", "catalogue_path", "gettext", "mark", "ngettext"]
COOKIE = "lang"


def negotiate(accept_language: str | None) -> str:
    """'en' when the client prefers English over Vietnamese, else 'vi' (the first language)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("vi"):
            return "vi"
        if tag.startswith("en"):
            return "en"
    return DEFAULT


def language_of(connection: HTTPConnection) -> str:
    """The switch's remembered choice, else `Accept-Language`, else Vietnamese."""
    chosen = connection.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate(connection.headers.get("accept-language"))


def day(value: date, lang: str) -> str:
    """dd/mm/yyyy in both languages."""
    return format_date(value, "dd/MM/yyyy", locale=lang)


def clock(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """24 h local time, e.g. 14:05."""
    return format_datetime(moment, "HH:mm", tzinfo=zone, locale=lang)


def moment(value: datetime, zone: ZoneInfo, lang: str) -> str:
    """dd/mm/yyyy HH:mm in the service's zone."""
    return format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=zone, locale=lang)


def money(amount_vnd: int, lang: str) -> str:
    """Whole đồng with the language's grouping: 50.000 đ (50,000 đ in English)."""
    return f"{format_decimal(amount_vnd, locale=lang)} đ"
