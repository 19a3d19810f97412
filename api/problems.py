"""Input errors in the visitor's language, one sentence per field, for the API and the pages.

Each sentence names the field by its label and says what to do ("«Số điện thoại»: hãy nhập số
di động Việt Nam, ví dụ 0912 345 678"). Pydantic's errors are read by their `type` (never their
English `msg`), the domain's `FieldProblem`s by their message, which is the catalogue's English
id. Nothing the caller sent is echoed back: only the schema's own limits fill the sentences.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from api import i18n
from api.i18n import mark
from courier import calendar
from courier.errors import InvalidInput

# a schema's limit or choice list is short; anything longer is not repeated
_MAX_VALUE = 80


@dataclass(frozen=True)
class FieldError:
    """One bad field: where it is, which field, a translated sentence, and a stable type."""

    loc: tuple[str | int, ...]
    field: str
    message: str
    type: str

    def as_json(self) -> dict[str, object]:
        """The entry of a 422 answer's `detail` list."""
        return {"loc": list(self.loc), "field": self.field, "msg": self.message, "type": self.type}


LABELS: dict[str, str] = {
    "applicant_name": mark("Full name"),
    "phone": mark("Phone number"),
    "address_text": mark("Address"),
    "lat": mark("Latitude"),
    "lon": mark("Longitude"),
    "procedure_code": mark("Procedure"),
    "preferred_on": mark("Pickup day"),
    "slot": mark("Time of day"),
    "result_return": mark("Getting the result back"),
    "consent": mark("Consent to personal-data processing"),
    "consent_version": mark("Consent version"),
    "rows": mark("Bookings"),
    "body": mark("Request"),
    "new_due_on": mark("New result date"),
    "reason": mark("Reason"),
    "note": mark("Note"),
    "Idempotency-Key": mark("Idempotency key"),
    "idempotency_key": mark("Idempotency key"),
    "device_at": mark("Time on the phone"),
    "device_name": mark("Phone name"),
    "service_on": mark("Plan day"),
    "depots": mark("Post offices"),
    "job_id": mark("Job"),
    "courier_id": mark("Courier"),
    "position": mark("Place in the route"),
    "at": mark("Re-plan from"),
}

_DATE = mark("please enter a date as yyyy-mm-dd, e.g. 2026-12-02")
_DATETIME = mark("please enter a date and time with its time zone, e.g. 2026-11-23T09:15:00+07:00")
_WHOLE = mark("please enter a whole number")
_NUMBER = mark("please enter a number, e.g. 10.98")
_BOOL = mark("please answer true or false")
_OBJECT = mark("please send an object with named fields")

ADVICE: dict[str, str] = {
    "missing": mark("this is required: please fill it in"),
    "string_too_short": mark("please enter at least %(min_length)s characters"),
    "string_too_long": mark("please enter at most %(max_length)s characters"),
    "string_type": mark("please enter text"),
    "string_pattern_mismatch": mark("please check how this is written"),
    "too_short": mark("please give at least %(min_length)s items"),
    "too_long": mark("please give at most %(max_length)s items"),
    "list_type": mark("please send a list"),
    "int_parsing": _WHOLE,
    "int_type": _WHOLE,
    "int_from_float": _WHOLE,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "finite_number": _NUMBER,
    "greater_than_equal": mark("please enter a number of at least %(ge)s"),
    "greater_than": mark("please enter a number greater than %(gt)s"),
    "less_than_equal": mark("please enter a number of at most %(le)s"),
    "less_than": mark("please enter a number less than %(lt)s"),
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_without_zone": _DATETIME,
    "enum": mark("please choose one of %(expected)s"),
    "literal_error": mark("please choose one of %(expected)s"),
    "bool_type": _BOOL,
    "bool_parsing": _BOOL,
    "extra_forbidden": mark("this field is not expected: please remove it"),
    "json_invalid": mark("this is not valid JSON: please check the quotes, commas and brackets"),
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dict_type": _OBJECT,
    "phone_invalid": mark("please enter a Vietnamese mobile number, e.g. 0912 345 678"),
    "day_out_of_range": calendar.OUT_OF_YEARS,
}
_DEFAULT_ADVICE = mark("please check this value")

# what a field needs whatever was wrong with it (a missing field is still "required")
_CHOOSE = mark("this is required: please choose one")
FIELD_ADVICE: dict[tuple[str, str], str] = {
    ("procedure_code", "missing"): _CHOOSE,
    ("result_return", "missing"): _CHOOSE,
    ("slot", "missing"): _CHOOSE,
    ("phone", "string_pattern_mismatch"): mark(
        "please enter the last 4 digits of the applicant's phone number"
    ),
    ("consent", "bool_type"): mark(
        "please tick the box to agree (in the API, the JSON value true)"
    ),
    ("consent", "bool_parsing"): mark(
        "please tick the box to agree (in the API, the JSON value true)"
    ),
}
# a domain problem is in the body unless it says otherwise (the Idempotency-Key header)
_NOT_BODY = {("header",), ("query",), ("path",)}
_SENTENCE = mark("«%(label)s»: %(advice)s")
_ROW = mark("Row %(number)s, %(sentence)s")


def field_of(loc: Iterable[str | int]) -> str:
    """The last named element of a location: ("body", "rows", 2, "phone") → "phone"."""
    return next((part for part in reversed(tuple(loc)) if isinstance(part, str)), "")


def label(field: str, lang: str) -> str:
    """The field's human name in the language (its own name when it has no label)."""
    return i18n.gettext(lang, LABELS[field]) if field in LABELS else field


def sentence(
    loc: tuple[str | int, ...], advice: str, lang: str, params: Mapping[str, object]
) -> str:
    """«Label»: advice, with the advice translated then filled; a batch row says its number."""
    field = field_of(loc)
    translated = i18n.gettext(lang, advice)
    if params:
        translated %= {key: _short(value) for key, value in params.items()}
    text = i18n.gettext(lang, _SENTENCE) % {"label": label(field, lang), "advice": translated}
    row = _row_index(loc)
    if row is not None:
        text = i18n.gettext(lang, _ROW) % {"number": row + 1, "sentence": text}
    return text


def _row_index(loc: tuple[str | int, ...]) -> int | None:
    for before, after in pairwise(loc):
        if before == "rows" and isinstance(after, int):
            return after
    return None


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE] + "…"


def from_validation(errors: Iterable[Mapping[str, Any]], lang: str) -> list[FieldError]:
    """Pydantic's error dicts (request or model validation) as sentences in the language."""
    found = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        kind = str(error.get("type", "value_error"))
        field = field_of(loc)
        advice = FIELD_ADVICE.get((field, kind)) or ADVICE.get(kind, _DEFAULT_ADVICE)
        context = error.get("ctx") or {}
        params = {key: context.get(key, "") for key in _placeholders(advice)}
        found.append(FieldError(loc, field, sentence(loc, advice, lang, params), kind))
    return found


def _placeholders(advice: str) -> list[str]:
    return [part.split(")", 1)[0] for part in advice.split("%(")[1:]]


def from_invalid_input(exc: InvalidInput, lang: str) -> list[FieldError]:
    """The domain's problems (their message is the English id) as sentences in the language."""
    found = []
    for problem in exc.problems:
        loc = problem.loc if problem.loc[:1] in _NOT_BODY else ("body", *problem.loc)
        text = sentence(loc, problem.msg, lang, problem.params)
        found.append(FieldError(loc, field_of(loc), text, problem.type))
    return found


def answer(problems: list[FieldError]) -> dict[str, object]:
    """The body of a 422: `{"detail": [{"loc", "field", "msg", "type"}, ...]}`."""
    return {"detail": [problem.as_json() for problem in problems]}
