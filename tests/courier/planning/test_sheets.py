"""Route sheets: the sketch keeps distances to scale, the PDF has every stop, barcodes are real."""

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courier.planning import sheets
from tests.courier.proofs.layout import assert_laid_out, printed

DEPOT = (10.98, 106.65)


def _stop(position: int, lat: float, lon: float) -> sheets.SheetStop:
    at = datetime(2026, 11, 24, 1, 0, tzinfo=UTC) + timedelta(minutes=20 * position)
    return sheets.SheetStop(
        position=position,
        lat=lat,
        lon=lon,
        arrival=at,
        window=(at, at + timedelta(hours=4)),
        action="Nhận hồ sơ / Collect dossier",
        address=f"{position} Đường Yersin, Phú Cường, Thủ Dầu Một",
        tracking_code="HS123456785VN",
        fee_vnd=25_000,
    )


def test_the_sketch_is_drawn_to_scale() -> None:
    """A point 1 km east and one 2 km north land 1:2 apart on the page, on both axes alike."""
    lat0 = DEPOT[0]
    east = (lat0, DEPOT[1] + 1000 / (111_320 * math.cos(math.radians(lat0))))
    north = (lat0 + 2000 / 110_574, DEPOT[1])
    (d, e, n), per_px = sheets.project([DEPOT, east, north], (1000, 800))
    east_px = math.dist(d, e)
    north_px = math.dist(d, n)
    assert north_px / east_px == pytest.approx(2.0, rel=0.01)
    assert east_px * per_px == pytest.approx(1000, rel=0.01)


def test_every_stop_is_listed_over_as_many_pages_as_needed() -> None:
    """Twenty-five stops: the sketch page plus the list pages, in one PDF."""
    stops = tuple(_stop(i, DEPOT[0] + 0.002 * i, DEPOT[1] + 0.001 * (i % 5)) for i in range(25))
    data = sheets.SheetData(
        courier="Nguyễn Văn Hùng (BD-CR-TDM-01)",
        day="24/11/2026",
        depot="Bưu cục Thủ Dầu Một 1",
        depot_point=DEPOT,
        stops=stops,
        zone=ZoneInfo("Asia/Ho_Chi_Minh"),
    )
    pdf = sheets.render(data)
    drawn = sheets.pages(data)
    assert pdf.startswith(b"%PDF")
    assert len(drawn.images) > 2
    assert f"/Count {len(drawn.images)}".encode() in pdf
    listed = [
        line for line in drawn.lines if line.text.startswith(tuple(f"{i + 1}. " for i in range(25)))
    ]
    assert [line.text.split(".")[0] for line in listed] == [str(i + 1) for i in range(25)]
    assert [line.page for line in listed] == sorted(line.page for line in listed)
    assert_laid_out(drawn)


def test_the_barcode_is_code_128_of_the_tracking_code() -> None:
    """Different codes give different bars; the same code the same bars."""
    first = sheets.code128("HS123456785VN")
    assert first.tobytes() == sheets.code128("HS123456785VN").tobytes()
    assert first.tobytes() != sheets.code128("HS123456790VN").tobytes()
    assert first.width > 150


ADDRESS = (
    "Số 1234/56A Đường Đại lộ Bình Dương, Khu phố Hòa Lân 2, Phường Thuận Giao, "
    "Thành phố Thuận An, Tỉnh Bình Dương, Việt Nam"
)


def test_long_names_and_addresses_wrap_inside_the_page() -> None:
    """A 120-character address was cut at 90 characters and a long post office's name ran off
    the sketch page: every address is printed whole over lines inside the margins, the header
    wraps, and each stop's barcode lies on no text."""
    assert len(ADDRESS) >= 120
    stops = tuple(
        replace(_stop(i, DEPOT[0] + 0.002 * i, DEPOT[1]), address=ADDRESS) for i in range(12)
    )
    depot = "Bưu cục cấp 2 Trung tâm Hành chính tập trung tỉnh Bình Dương, Thành phố Thủ Dầu Một"
    data = sheets.SheetData(
        courier="Nguyễn Thị Hồng Nhung Phương Thảo (BD-CR-TDM-01)",
        day="24/11/2026",
        depot=depot,
        depot_point=DEPOT,
        stops=stops,
        zone=ZoneInfo("Asia/Ho_Chi_Minh"),
    )
    drawn = sheets.pages(data)
    assert_laid_out(drawn)
    assert printed(drawn, depot)
    assert printed(drawn, f"{ADDRESS} — thu / collect 25.000 đ")
    assert " ".join(line.text for line in drawn.lines).count("Tỉnh Bình Dương, Việt Nam") == 12
