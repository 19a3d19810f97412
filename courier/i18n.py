"""The gettext catalogues (read with Babel) of every text a citizen meets, Vietnamese first.

The message ids are the English texts; `courier/locale/<lang>/LC_MESSAGES/messages.po` holds each
language's translation. `make messages` extracts new ids from the code and templates (texts
defined away from where they are shown are marked with `courier.text.mark`) and merges them into
both catalogues; `tests/api/test_i18n.py` fails while a catalogue misses one. The API and pages
choose the visitor's language (`api.i18n`); SMS are Vietnamese.
"""

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
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
