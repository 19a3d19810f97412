"""Bookings from an enterprise's CSV file: every row checked at once, booked all or nothing.

The file is UTF-8 with or without a BOM (what Excel's «CSV UTF-8» writes), comma, semicolon or
tab separated, with the template's Vietnamese headers (English ones are accepted too, in any
order). Problems name the spreadsheet's row number (the header is row 1) and the column; they
carry catalogue ids and never the cell's content, so a huge or hostile cell is not echoed back.
A cell is only ever data: one starting with "=" is stored as the text it is.
"""

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from courier.actors import Actor
from courier.catalogue import service as catalogue
from courier.db import utcnow
from courier.dossiers import booking
from courier.dossiers.booking import BookingRequest, Quote
from courier.dossiers.models import Dossier, PointSource, ResultReturn, Slot
from courier.dossiers.phones import InvalidPhone, normalise_mobile
from courier.errors import FieldProblem, InvalidInput
from courier.settings import Settings
from courier.text import mark, unaccented

MAX_BYTES = 2_000_000
MAX_ROWS = booking.MAX_BATCH
BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the template: the booking field it fills and its headers."""

    key: str
    vi: str
    en: str
    aliases: tuple[str, ...] = ()

    def header(self, lang: str) -> str:
        """The header as the template writes it in the language."""
        return self.vi if lang == "vi" else self.en


COLUMNS = (
    Column("applicant_name", "Tên người nộp", "Applicant name", ("ho ten", "ho va ten", "name")),
    Column("phone", "Số điện thoại", "Phone", ("dien thoai", "sdt", "phone number", "mobile")),
    Column("address_text", "Địa chỉ", "Address", ("dia chi nhan ho so", "pickup address")),
    Column("ward", "Phường/xã", "Ward or commune", ("phuong xa thi tran", "phuong", "xa", "ward")),
    Column("lat", "Vĩ độ", "Latitude", ("lat",)),
    Column("lon", "Kinh độ", "Longitude", ("lon", "lng")),
    Column("procedure_code", "Mã thủ tục", "Procedure code", ("thu tuc", "procedure")),
    Column("preferred_on", "Ngày hẹn", "Pickup day", ("ngay", "date", "pickup date")),
    Column("slot", "Buổi", "Slot", ("time of day",)),
    Column("result_return", "Nhận kết quả", "Result return", ("tra ket qua", "result")),
)
BY_KEY = {c.key: c for c in COLUMNS}

SLOTS = {"sang": Slot.MORNING, "morning": Slot.MORNING, "chieu": Slot.AFTERNOON}
SLOTS["afternoon"] = Slot.AFTERNOON
RETURNS = {
    "buu chinh": ResultReturn.POST,
    "buu dien": ResultReturn.POST,
    "post": ResultReturn.POST,
    "by post": ResultReturn.POST,
    "tai quay": ResultReturn.CENTER,
    "quay": ResultReturn.CENTER,
    "counter": ResultReturn.CENTER,
    "at the counter": ResultReturn.CENTER,
    "center": ResultReturn.CENTER,
}
LENGTHS = {"applicant_name": (2, 200), "address_text": (5, 500), "procedure_code": (1, 32)}

NOT_UTF8 = mark(
    "the file is not UTF-8 text: in Excel choose Save As, then «CSV UTF-8 (Comma delimited)»"
)
TOO_LARGE = mark("the file is larger than %(limit)s MB: split it into several files")
EMPTY = mark("the file holds no booking: fill in the template below its header row")
TOO_MANY_ROWS = mark(
    "the file has %(rows)s bookings; at most %(limit)s can be sent at once: split it"
)
MISSING_COLUMN = mark("this column is missing: copy the template's header row")
UNKNOWN_COLUMN = mark("column %(position)s has a header the template does not have")
TWICE = mark("this column appears twice")
BROKEN = mark("the file cannot be read as CSV: check its quotes")
EXTRA_CELLS = mark("this row has more cells than the header row")
REQUIRED = mark("this is required: please fill it in")
PLACE = mark("please give the ward or commune, or both the latitude and the longitude")
UNKNOWN_WARD = mark("no ward or commune of the province has this name: check its spelling")
AMBIGUOUS_WARD = mark(
    "several wards or communes have this name: write «Phường», «Xã» or «Thị trấn» before it, "
    "or add its district after a comma"
)
TOO_SHORT = mark("please enter at least %(min_length)s characters")
TOO_LONG = mark("please enter at most %(max_length)s characters")
PHONE = mark("please enter a Vietnamese mobile number, e.g. 0912 345 678")
NUMBER = mark("please enter a number, e.g. 10.98")
DAY = mark("please enter a day as dd/mm/yyyy, e.g. 25/12/2026")
SLOT = mark("please write «sáng» (morning) or «chiều» (afternoon)")
RETURN = mark("please write «bưu chính» (by post) or «tại quầy» (at the counter)")


@dataclass(frozen=True, slots=True)
class Row:
    """A data row: its number in the spreadsheet, its cells by booking field, stray cells."""

    number: int
    cells: dict[str, str]
    stray: bool = False


@dataclass(frozen=True, slots=True)
class Booked:
    """A dossier the file created, with the spreadsheet row it came from."""

    row: int
    dossier: Dossier
    quote: Quote


def _fold(text: str) -> str:
    return " ".join(unaccented(text).lower().replace("_", " ").split())


HEADERS = {_fold(name): c.key for c in COLUMNS for name in (c.vi, c.en, c.key, *c.aliases)}


def _file_problem(msg: str, kind: str, **params: str | int) -> InvalidInput:
    return InvalidInput([FieldProblem(("file",), msg, kind, dict(params))])


def decode(data: bytes) -> str:
    """The file's text: UTF-8 with or without a BOM; anything else is refused."""
    if len(data) > MAX_BYTES:
        raise _file_problem(TOO_LARGE, "csv_too_large", limit=MAX_BYTES // 1_000_000)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's «Unicode text» is UTF-16
        raise _file_problem(NOT_UTF8, "csv_encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _file_problem(NOT_UTF8, "csv_encoding") from None
    return text.removeprefix(BOM)


def _records(text: str) -> list[list[str]]:
    """The file's records; the separator is what its first line uses most of , ; and tab."""
    first = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True))
    except csv.Error:
        raise _file_problem(BROKEN, "csv_malformed") from None


def _columns(header: list[str]) -> list[str | None]:
    """The booking field of each header cell (None for an empty one); `InvalidInput` if bad."""
    keys: list[str | None] = []
    problems = []
    for position, name in enumerate(header, start=1):
        key = HEADERS.get(_fold(name))
        if key is None and name.strip():
            params: dict[str, str | int] = {"position": position}
            problems.append(FieldProblem(("file", "header"), UNKNOWN_COLUMN, "csv_column", params))
        elif key is not None and key in keys:
            problems.append(FieldProblem(("file", key), TWICE, "csv_duplicate_column"))
        keys.append(key)
    optional = {"ward", "lat", "lon"} if "ward" in keys else {"ward"}
    for column in COLUMNS:
        if column.key not in keys and column.key not in optional:
            problems.append(FieldProblem(("file", column.key), MISSING_COLUMN, "csv_missing"))
    if problems:
        raise InvalidInput(problems)
    return keys


def read(data: bytes) -> list[Row]:
    """The data rows of the file (blank lines skipped), or `InvalidInput` for the file itself."""
    records = _records(decode(data))
    keys = _columns(records[0]) if records else []
    rows = [
        Row(
            number,
            {key: cell for key, cell in zip(keys, _padded(cells, len(keys)), strict=False) if key},
            any(cell.strip() for cell in cells[len(keys) :]),
        )
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    if not rows:
        raise _file_problem(EMPTY, "csv_empty")
    if len(rows) > MAX_ROWS:
        raise _file_problem(TOO_MANY_ROWS, "csv_too_many_rows", rows=len(rows), limit=MAX_ROWS)
    return rows


def _padded(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


class _Bad(Exception):
    def __init__(self, msg: str, kind: str, **params: str | int) -> None:
        super().__init__(msg)
        self.problem = (msg, kind, params)

    def at(self, row: int, key: str) -> FieldProblem:
        msg, kind, params = self.problem
        return FieldProblem(("rows", row, key), msg, kind, params)


def _text(key: str) -> Callable[[str], str]:
    low, high = LENGTHS[key]

    def parse(value: str) -> str:
        if len(value) < low:
            raise _Bad(TOO_SHORT, "string_too_short", min_length=low)
        if len(value) > high:
            raise _Bad(TOO_LONG, "string_too_long", max_length=high)
        return value

    return parse


def _phone(value: str) -> str:
    try:
        return normalise_mobile(value[:40])
    except InvalidPhone:
        raise _Bad(PHONE, "phone_invalid") from None


def _number(value: str) -> float:
    if "," in value and "." not in value:  # a decimal comma, as Vietnamese Excel writes it
        value = value.replace(",", ".")
    try:
        number = float(value[:40])
    except ValueError:
        raise _Bad(NUMBER, "float_parsing") from None
    if not math.isfinite(number):
        raise _Bad(NUMBER, "float_parsing")
    return number


def _day(value: str) -> date:
    found = DAY_PATTERN.fullmatch(value) or ISO_DAY.fullmatch(value)
    try:
        if found is None:
            raise ValueError(value)
        day, month, year = (int(found[name]) for name in ("day", "month", "year"))
        return date(year, month, day)
    except ValueError:
        raise _Bad(DAY, "date_parsing") from None


def _choice(choices: dict[str, Any], advice: str) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        found = choices.get(_fold(value[:40]))
        if found is None:
            raise _Bad(advice, "enum")
        return found

    return parse


DAY_PATTERN = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})")
ISO_DAY = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
PARSERS: dict[str, Callable[[str], Any]] = {
    "applicant_name": _text("applicant_name"),
    "phone": _phone,
    "address_text": _text("address_text"),
    "lat": _number,
    "lon": _number,
    "procedure_code": _text("procedure_code"),
    "preferred_on": _day,
    "slot": _choice(SLOTS, SLOT),
    "result_return": _choice(RETURNS, RETURN),
}


def convert(
    row: Row, consent: bool, consent_version: str, known: Sequence["Place"] = ()
) -> tuple[BookingRequest | None, list[FieldProblem]]:
    """The row as a booking request, or the problems of each of its cells.

    With a ward column, a row without both coordinates is placed at its ward's centre.
    """
    problems = []
    if row.stray:
        problems.append(FieldProblem(("rows", row.number), EXTRA_CELLS, "csv_extra_cells"))
    cells = {key: " ".join(cell.split()) for key, cell in row.cells.items()}
    by_ward = "ward" in cells and not (cells.get("lat") and cells.get("lon"))
    values: dict[str, Any] = {}
    for key, parse in PARSERS.items():
        if by_ward and key in ("lat", "lon"):
            continue
        try:
            if not cells.get(key):
                raise _Bad(REQUIRED, "missing")
            values[key] = parse(cells[key])
        except _Bad as bad:
            problems.append(bad.at(row.number, key))
    if by_ward:
        try:
            values["lat"], values["lon"] = locate(cells["ward"], known)
        except _Bad as bad:
            problems.append(bad.at(row.number, "ward"))
    if problems:
        return None, problems
    values["procedure_code"] = values["procedure_code"].upper()
    if by_ward:  # approximate: the courier corrects it at the door
        values["point_source"] = PointSource.WARD
    return BookingRequest(**values, consent=consent, consent_version=consent_version), []


@dataclass(frozen=True, slots=True)
class Place:
    """A ward or commune by every name a file may give it, and its approximate centre."""

    names: frozenset[str]
    districts: tuple[str, str]
    point: tuple[float, float]


KIND_PREFIXES = ("phuong ", "xa ", "thi tran ")
KIND_SUFFIXES = (" ward", " commune", " township")


def places(session: Session) -> list[Place]:
    """The province's wards, communes and townships, to place rows that name one."""
    found = []
    for ward in catalogue.list_wards(session):
        vi, en = _fold(ward.name_vi), _fold(ward.name_en)
        bare_vi = next((vi.removeprefix(k) for k in KIND_PREFIXES if vi.startswith(k)), vi)
        bare_en = next((en.removesuffix(k) for k in KIND_SUFFIXES if en.endswith(k)), en)
        names = frozenset({vi, en, bare_vi, bare_en, _fold(ward.code)})
        districts = (_fold(ward.district_vi), _fold(ward.district_en))
        found.append(Place(names, districts, (ward.lat, ward.lon)))
    return found


def locate(cell: str, known: Sequence[Place]) -> tuple[float, float]:
    """The centre of the ward a cell names ("Phú Cường", "Xã Tân Định, Bắc Tân Uyên")."""
    if not cell:
        raise _Bad(PLACE, "missing")
    name, _, district = cell[:200].partition(",")
    wanted, within = _fold(name), _fold(district)
    found = [
        p
        for p in known
        if wanted in p.names and (not within or any(within in d for d in p.districts))
    ]
    if not found:
        raise _Bad(UNKNOWN_WARD, "unknown_ward")
    if len(found) > 1:
        raise _Bad(AMBIGUOUS_WARD, "ambiguous_ward")
    return found[0].point


def book_file(
    session: Session,
    data: bytes,
    settings: Settings,
    actor: Actor,
    *,
    consent: bool,
    consent_version: str,
) -> list[Booked]:
    """Book every row of the file, or none: `InvalidInput` lists every problem of every row."""
    rows = read(data)
    known = places(session) if "ward" in rows[0].cells else []
    converted = [convert(row, consent, consent_version, known) for row in rows]
    problems = [problem for _, found in converted for problem in found]
    requests = [request for request, _ in converted]
    if problems:
        problems += _domain_problems(session, rows, requests, settings)
        raise InvalidInput(_unique(problems))
    checked = [request for request in requests if request is not None]
    try:
        created = booking.book_batch(session, checked, settings, actor)
    except InvalidInput as exc:
        raise InvalidInput(_unique([_at_row(p, rows) for p in exc.problems])) from None
    _load_jobs(session, [dossier for dossier, _ in created])
    return [Booked(row.number, d, q) for row, (d, q) in zip(rows, created, strict=True)]


def _load_jobs(session: Session, dossiers: list[Dossier]) -> None:
    """Load the new dossiers' job pairs in one query (the answer gives each pickup window)."""
    query = (
        select(Dossier)
        .where(Dossier.id.in_([d.id for d in dossiers]))
        .options(selectinload(Dossier.jobs))
        .execution_options(populate_existing=True)
    )
    session.scalars(query).unique().all()


def _domain_problems(
    session: Session,
    rows: list[Row],
    requests: list[BookingRequest | None],
    settings: Settings,
) -> list[FieldProblem]:
    """The booking rules for the rows whose cells all parsed, so one answer tells everything."""
    now = utcnow()
    found = []
    for index, request in enumerate(requests):
        if request is not None:
            _, problems = booking.check(session, request, settings, now)
            found += [_at_row(replace(p, loc=("rows", index, *p.loc)), rows) for p in problems]
    return found


def _at_row(problem: FieldProblem, rows: list[Row]) -> FieldProblem:
    """A batch problem at ("rows", index, field) moved to the spreadsheet's row number."""
    loc = problem.loc
    if loc[-1] in ("consent", "consent_version"):  # the upload's, not a row's
        return replace(problem, loc=(loc[-1],))
    if len(loc) >= 2 and loc[0] == "rows" and isinstance(loc[1], int):
        return replace(problem, loc=("rows", rows[loc[1]].number, *loc[2:]))
    return problem


def _unique(problems: list[FieldProblem]) -> list[FieldProblem]:
    seen: dict[tuple[object, ...], FieldProblem] = {}
    for problem in problems:
        seen.setdefault((problem.loc, problem.msg), problem)
    return list(seen.values())


EXAMPLE = {
    "applicant_name": "Nguyễn Văn An",
    "phone": "0912 345 678",
    "address_text": "12 Yersin, phường Phú Cường, Thủ Dầu Một",
    "ward": "Phường Phú Cường",
    "lat": "",
    "lon": "",
    "procedure_code": "HT-01",
    "slot": "sáng",
    "result_return": "bưu chính",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_HEADERS = {
    "vi": ("Dòng", "Mã hồ sơ", "Tên người nộp", "Mã thủ tục", "Ngày hẹn", "Buổi"),
    "en": ("Row", "Tracking code", "Applicant name", "Procedure code", "Pickup day", "Slot"),
}
SLOT_WORDS = {"vi": {Slot.MORNING: "sáng", Slot.AFTERNOON: "chiều"}}


def _csv(rows: list[list[str]]) -> bytes:
    """UTF-8 with a BOM, so that Excel reads the Vietnamese letters; CRLF as Excel writes."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (BOM + out.getvalue()).encode()


def template(example_day: date) -> bytes:
    """The file to fill in: the Vietnamese headers and one example row."""
    example = {**EXAMPLE, "preferred_on": f"{example_day:%d/%m/%Y}"}
    return _csv([[c.vi for c in COLUMNS], [example[c.key] for c in COLUMNS]])


def cell(value: str) -> str:
    """A cell Excel shows as text, never runs as a formula (a leading = + - @ is quoted)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def codes_file(booked: list[tuple[int, Dossier]], lang: str) -> bytes:
    """The tracking codes a file created, by its row, to keep beside the spreadsheet."""
    slots = SLOT_WORDS.get(lang, {})
    return _csv(
        [list(EXPORT_HEADERS[lang])]
        + [
            [
                str(row),
                d.tracking_code,
                cell(d.applicant_name),
                d.procedure.code,
                f"{d.preferred_on:%d/%m/%Y}",
                slots.get(d.slot, d.slot.value),
            ]
            for row, d in booked
        ]
    )
