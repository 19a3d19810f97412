"""The staff list as a spreadsheet: UTF-8 with a BOM for Excel, headers in the caller's language."""

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from api.present import status_label
from courier.dossiers.csvbatch import BOM, SLOT_WORDS, cell
from courier.dossiers.models import ResultReturn

HEADERS = {
    "vi": (
        "Mã hồ sơ",
        "Trạng thái",
        "Mã thủ tục",
        "Nơi tiếp nhận",
        "Bưu cục",
        "Tên người nộp",
        "Số điện thoại",
        "Địa chỉ",
        "Ngày hẹn",
        "Buổi",
        "Nhận kết quả",
        "Hạn trả kết quả",
        "Thời điểm đặt",
    ),
    "en": (
        "Tracking code",
        "Status",
        "Procedure code",
        "Receiving site",
        "Post office",
        "Applicant name",
        "Phone",
        "Address",
        "Pickup day",
        "Slot",
        "Result return",
        "Due date",
        "Booked at",
    ),
}
RETURN_WORDS = {"vi": {ResultReturn.POST: "bưu chính", ResultReturn.CENTER: "tại quầy"}}
_BATCH = 1000


def csv_chunks(rows: Sequence[Any], lang: str, zone: ZoneInfo) -> Iterator[bytes]:
    """The header and the rows, a thousand rows a chunk, CRLF as Excel writes."""
    yield (BOM + _lines([list(HEADERS[lang])])).encode()
    for start in range(0, len(rows), _BATCH):
        yield _lines([_cells(r, lang, zone) for r in rows[start : start + _BATCH]]).encode()


def _lines(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _cells(row: Any, lang: str, zone: ZoneInfo) -> list[str]:
    slots, returns = SLOT_WORDS.get(lang, {}), RETURN_WORDS.get(lang, {})
    return [
        row.tracking_code,
        status_label(row.status, lang),
        row.procedure_code,
        row.receiving_site_code,
        row.post_office_code or "",
        cell(row.applicant_name),
        cell(row.applicant_phone),
        cell(row.address_text),
        f"{row.preferred_on:%d/%m/%Y}",
        slots.get(row.slot, row.slot.value),
        returns.get(row.result_return, row.result_return.value),
        f"{row.due_on:%d/%m/%Y}" if row.due_on else "",
        f"{row.created_at.astimezone(zone):%d/%m/%Y %H:%M}",
    ]
