"""A CSV file's problems in the visitor's language, for the upload page and the API alike.

Each problem names the spreadsheet row (the header is row 1), the column as the template heads
it in that language, and what to do; nothing of the cell's content is repeated.
"""

from dataclasses import dataclass

from api import i18n, problems
from api.i18n import mark
from courier.dossiers import csvbatch
from courier.errors import InvalidInput

_SENTENCE = mark("«%(label)s»: %(advice)s")
PLACES = {
    "file": mark("File"),
    "header": mark("Header row"),
    "row": mark("Row"),
}


@dataclass(frozen=True)
class CsvError:
    """One problem of the file: its row (None for the file itself), column and advice."""

    loc: tuple[str | int, ...]
    row: int | None
    column: str
    field: str
    message: str
    type: str

    def as_json(self) -> dict[str, object]:
        """An entry of the 422 answer's `detail` list."""
        return {
            "loc": list(self.loc),
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "msg": self.message,
            "type": self.type,
        }


def column_label(field: str, lang: str) -> str:
    """The column's header in the language, or the place's name for the file's own problems."""
    if field in csvbatch.BY_KEY:
        return csvbatch.BY_KEY[field].header(lang)
    if field in PLACES:
        return i18n.gettext(lang, PLACES[field])
    return problems.label(field, lang)


def errors_of(exc: InvalidInput, lang: str) -> list[CsvError]:
    """Every problem of the file, by row then column order, as sentences in the language."""
    found = []
    for problem in exc.problems:
        loc = problem.loc
        row = loc[1] if len(loc) > 1 and loc[0] == "rows" and isinstance(loc[1], int) else None
        field = problems.field_of(loc)
        field = "row" if field == "rows" else field
        advice = i18n.gettext(lang, problem.msg)
        if problem.params:
            advice %= {key: str(value)[:80] for key, value in problem.params.items()}
        label = column_label(field, lang)
        message = i18n.gettext(lang, _SENTENCE) % {"label": label, "advice": advice}
        found.append(CsvError(loc, row, label, field, message, problem.type))
    return sorted(found, key=lambda e: (e.row or 0, _position(e.field)))


def _position(field: str) -> int:
    keys = list(csvbatch.BY_KEY)
    return keys.index(field) if field in keys else -1
