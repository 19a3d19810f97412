"""Translations for pages and API messages: gettext catalogues read with Babel, Vietnamese first.

The message ids are the English texts; `api/locale/<lang>/LC_MESSAGES/messages.po` holds each
language's translation (`make messages` extracts new ids from the code and templates and merges
them into both catalogues; `tests/api/test_i18n.py` fails while a catalogue misses one).
The visitor's language is the one they chose with the switch (a cookie), else the first of
Vietnamese or English in `Accept-Language`, else Vietnamese.
"""

from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from starlette.requests import HTTPConnection

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"


def catalogue_path(lang: str) -> Path:
    """The language's .po file."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def catalogue(lang: str) -> dict[str | tuple[str, ...], str | tuple[str, ...]]:
    """Message id to translation, for the translated and checked entries of a language."""
    with catalogue_path(lang).open("rb") as po:
        entries = read_po(po, locale=lang)
    # an untranslated plural entry is a tuple of empty strings, which is truthy
    return {
        _key(m.id): _key(m.string)
        for m in entries
        if m.id and m.string and all(_key(m.string)) and not m.fuzzy
    }


def _key(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(value)


def gettext(lang: str, message: str) -> str:
    """The message in the language (the English id itself when a catalogue lacks it)."""
    found = catalogue(lang).get(message)
    return found if isinstance(found, str) else message


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural form for n (Vietnamese has one form)."""
    found = catalogue(lang).get((singular, plural))
    if isinstance(found, tuple) and found:
        return found[0] if len(found) == 1 or n == 1 else found[1]
    return singular if n == 1 else plural


def mark(message: str) -> str:
    """Marks a text for extraction into the catalogues; translated later, where it is shown."""
    return message


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
