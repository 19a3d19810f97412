"""Printable route sheets for couriers who work on paper: a sketch to scale, then the stops.

The first page draws the route over an equirectangular projection (fine at a province's scale)
with a scale bar, the depot as a square and the stops numbered in order; then every stop is
listed with its planned time, window, what to do, the address and the dossier code as a Code 128
barcode the counter scanner reads. The PDF has as many A4 pages as the list needs; a long name
or address wraps to the page's width (the receipts' `Page`), a stop's lines and barcode stay on
one page.
"""

import io
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import barcode
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw

from courier.proofs import receipts
from courier.proofs.receipts import (
    BOTTOM,
    DPI,
    INK,
    MARGIN,
    PAGE,
    Page,
    font,
    line_height,
    local_time,
)

SKETCH = (PAGE[0] - 2 * MARGIN, 820)
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0
_SCALE_STEPS_M = (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000)


@dataclass(frozen=True, slots=True)
class SheetStop:
    """One stop as printed."""

    position: int
    lat: float
    lon: float
    arrival: datetime
    window: tuple[datetime, datetime]
    action: str
    address: str
    tracking_code: str
    fee_vnd: int


@dataclass(frozen=True, slots=True)
class SheetData:
    """A courier's route for a day."""

    courier: str
    day: str
    depot: str
    depot_point: tuple[float, float]
    stops: tuple[SheetStop, ...]
    zone: ZoneInfo


def project(
    points: list[tuple[float, float]], box: tuple[int, int], margin: int = 30
) -> tuple[list[tuple[float, float]], float]:
    """Pixel positions of (lat, lon) points in a box, same scale on both axes; metres per pixel."""
    lat0 = sum(p[0] for p in points) / len(points)
    metres = [
        ((lon * _M_PER_DEG_LON * math.cos(math.radians(lat0))), lat * _M_PER_DEG_LAT)
        for lat, lon in points
    ]
    xs, ys = [m[0] for m in metres], [m[1] for m in metres]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 200.0)
    per_px = span / (min(box) - 2 * margin)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [
        (box[0] / 2 + (x - cx) / per_px, box[1] / 2 - (y - cy) / per_px) for x, y in metres
    ], per_px


def render(data: SheetData) -> bytes:
    """The sheet as a multi-page PDF."""
    return receipts.pdf_of(pages(data).images, f"{data.courier} — {data.day}")


def pages(data: SheetData) -> Page:
    """The sheet drawn: the sketch page, then the stops over as many pages as they need."""
    page = Page()
    _sketch(page, data)
    if data.stops:
        page.new_page()
        _list_head(page, data, 2)
    for stop in data.stops:
        _stop(page, data, stop)
    return page


def _sketch(page: Page, data: SheetData) -> None:
    page.text("LỘ TRÌNH BƯU TÁ / Courier route", "title", gap=12)
    stops = f"{len(data.stops)} điểm dừng / stops"
    page.text(f"{data.courier} — {data.day} — {data.depot} — {stops}", gap=16)
    top = page.y
    draw = page.draw
    points = [data.depot_point, *[(s.lat, s.lon) for s in data.stops]]
    pixels, per_px = project(points, SKETCH)
    at = [(x + MARGIN, y + top) for x, y in pixels]
    draw.rectangle((MARGIN, top, MARGIN + SKETCH[0], top + SKETCH[1]), outline=(200, 200, 200))
    draw.line([at[0], *at[1:], at[0]], fill=(70, 110, 200), width=3)
    dx, dy = at[0]
    draw.rectangle((dx - 10, dy - 10, dx + 10, dy + 10), fill=INK)
    for stop, (x, y) in zip(data.stops, at[1:], strict=True):
        draw.ellipse((x - 15, y - 15, x + 15, y + 15), fill="white", outline=INK, width=2)
        label = str(stop.position + 1)
        w = draw.textlength(label, font=font("small"))
        draw.text((x - w / 2, y - 10), label, font=font("small"), fill=INK)
    _scale_bar(draw, per_px, (MARGIN + 20, top + SKETCH[1] - 30))


def _scale_bar(draw: ImageDraw.ImageDraw, per_px: float, origin: tuple[int, int]) -> None:
    """A bar of a round length close to 200 px."""
    length_m = min(_SCALE_STEPS_M, key=lambda m: abs(m / per_px - 200))
    x, y = origin
    px = length_m / per_px
    draw.line([(x, y), (x + px, y)], fill=INK, width=4)
    label = f"{length_m // 1000} km" if length_m >= 1000 else f"{length_m} m"
    draw.text((x, y - 26), label, font=font("small"), fill=INK)


def _list_head(page: Page, data: SheetData, number: int) -> None:
    page.text(f"{data.courier} — {data.day} — trang / page {number}", "small", gap=16)


def window_text(
    window: tuple[datetime, datetime], day: date, zone: ZoneInfo, dash: str = "-"
) -> str:
    """The window's hours ("13:30-17:00"), with its dates when it does not lie within the stop's
    day ("08/12 13:30 - 09/12 17:00"), so a window from 13:30 to 17:00 the next day is not read
    as one on the planned day; `dash` joins the two ends (the printed sheet's "-", a page's "–")."""
    first, last = (moment.astimezone(zone) for moment in window)
    midnight = datetime.combine(day + timedelta(days=1), time.min, zone)
    if first.date() == day and (last.date() == day or last == midnight):
        return f"{first:%H:%M}{dash}{last:%H:%M}"
    return f"{first:%d/%m %H:%M} {dash} {last:%d/%m %H:%M}"


def _stop(page: Page, data: SheetData, stop: SheetStop) -> None:
    """A stop: its time, window and action, the address (and fee), its barcode and code."""
    zone = data.zone
    window = window_text(stop.window, stop.arrival.astimezone(zone).date(), zone)
    head = (
        f"{stop.position + 1}. {local_time(stop.arrival, zone)[11:16]}"
        f"  (khung giờ / window {window})  {stop.action}"
    )
    fee = f" — thu / collect {stop.fee_vnd:,} đ".replace(",", ".") if stop.fee_vnd else ""
    code = code128(stop.tracking_code)
    x = MARGIN + 30
    height = (
        len(receipts.wrap(head, "body", PAGE[0] - 2 * MARGIN)) * line_height("body", 2)
        + len(receipts.wrap(stop.address + fee, "small", PAGE[0] - MARGIN - x))
        * line_height("small", 2)
        + 8
        + code.height
        + 16
    )
    if page.y + height > BOTTOM:  # the stop goes whole onto the next page
        page.new_page()
        _list_head(page, data, len(page.images))
    page.text(head, "body", gap=2)
    page.text(stop.address + fee, "small", x=x, gap=8)
    page.paste(code, (x, page.y))
    page.write(stop.tracking_code, "body", (x + 10 + code.width, page.y + code.height // 2 - 14))
    page.y += code.height + 16


def code128(text: str) -> Image.Image:
    """A Code 128 barcode of the text, 150 dpi, without its human-readable line."""
    out = io.BytesIO()
    barcode.get("code128", text, writer=ImageWriter()).write(
        out,
        options={
            "module_width": 0.25,
            "module_height": 6.0,
            "quiet_zone": 2.0,
            "write_text": False,
            "dpi": DPI,
        },
    )
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")
