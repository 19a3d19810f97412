"""Route sheets: the sketch keeps distances to scale, the PDF has every stop, barcodes are real."""

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courier.planning import sheets

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
    per_page = (sheets.PAGE[1] - 2 * sheets.MARGIN - 60) // sheets.ROW_H
    assert pdf.startswith(b"%PDF")
    assert f"/Count {1 + math.ceil(25 / per_page)}".encode() in pdf


def test_the_barcode_is_code_128_of_the_tracking_code() -> None:
    """Different codes give different bars; the same code the same bars."""
    first = sheets.code128("HS123456785VN")
    assert first.tobytes() == sheets.code128("HS123456785VN").tobytes()
    assert first.tobytes() != sheets.code128("HS123456790VN").tobytes()
    assert first.width > 150
