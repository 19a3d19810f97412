"""The catalogues hold every text a visitor can meet, in Vietnamese and English."""

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from api import i18n
from tests.services import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "mark": None}


def _extracted() -> set[str | tuple[str, ...]]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[str | tuple[str, ...]] = set()
    for _path, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda d: not d.rsplit("/", 1)[-1].startswith((".", "_", "node_modules")),
    ):
        found.add(message)
    return found


def test_every_text_of_the_code_and_templates_is_translated() -> None:
    """A text marked for translation and missing from a catalogue fails here (`make messages`)."""
    extracted = _extracted()
    assert len(extracted) > 20
    for lang in i18n.LANGUAGES:
        with i18n.catalogue_path(lang).open("rb") as po:
            catalogue = read_po(po, locale=lang)
        ids = {m.id for m in catalogue if m.id}
        missing = sorted(str(m) for m in extracted - ids)
        assert not missing, f"{lang} lacks {missing}"
        if lang == "vi":
            untranslated = sorted(str(m.id) for m in catalogue if m.id and not m.string)
            assert not untranslated, f"vi leaves untranslated {untranslated}"
        errors = [(m.id, e) for m, e in catalogue.check()]
        assert not errors, errors


def test_formats_follow_vietnamese_usage() -> None:
    """dd/mm/yyyy, 24-hour clock, 50.000 đ."""
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    assert i18n.day(date(2026, 12, 2), "vi") == "02/12/2026"
    assert i18n.clock(datetime(2026, 12, 2, 7, 5, tzinfo=UTC), zone, "vi") == "14:05"
    assert i18n.money(50_000, "vi") == "50.000 đ"
    assert i18n.money(50_000, "en") == "50,000 đ"
