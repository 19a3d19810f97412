"""Every text of the courier app's scripts reaches its catalogue, in Vietnamese."""

import re

from api.pages import courier_app
from courier import i18n

CALL = re.compile(r"\bt(n)?\(\s*\"((?:[^\"\\]|\\.)*)\"")
VIETNAMESE = "vi"


def _calls() -> set[str]:
    found = set()
    for script in courier_app.APP_DIR.glob("*.js"):
        found |= {match.group(2) for match in CALL.finditer(script.read_text())}
    return found


def test_every_text_the_scripts_show_is_extracted() -> None:
    """A text Babel's extractor misses (e.g. a call inside a template literal) would stay English."""
    extracted = {m if isinstance(m, str) else m[0] for m in courier_app._js_messages()}
    calls = _calls()
    assert len(calls) > 80
    assert calls <= extracted, sorted(calls - extracted)


def test_every_text_the_scripts_show_has_its_vietnamese() -> None:
    """The app is Vietnamese first: no script text falls back to its English id."""
    catalogue = courier_app._catalogue(VIETNAMESE)
    untranslated = []
    for message in _calls():
        value = catalogue[message]
        text = value[0] if isinstance(value, list) else value
        if text == message:
            untranslated.append(message)
    assert not untranslated, untranslated
    assert i18n.gettext(VIETNAMESE, "Today's route") == "Lộ trình hôm nay"
