"""Printable route sheets for couriers who work on paper: a sketch to scale, then the stops.

The first page draws the route over an equirectangular projection (fine at a province's scale)
with a scale bar, the depot as a square and the stops numbered in order; then every stop is
listed with its planned time, window, what to do, the address and the dossier code as a Code 128
barcode the counter scanner reads. The PDF has as many A4 pages as the list needs.
"""

import io
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import barcode
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw

from courier.proofs.receipts import DPI, INK, MARGIN, MUTED, PAGE, font, local_time

SKETCH = (PAGE[0] - 2 * MARGIN, 820)
ROW_H = 118
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
    pages = [_sketch_page(data)]
    per_page = (PAGE[1] - 2 * MARGIN - 60) // ROW_H
    for start in range(0, len(data.stops), per_page):
        pages.append(_list_page(data, data.stops[start : start + per_page], len(pages) + 1))
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return out.getvalue()


def _sketch_page(data: SheetData) -> Image.Image:
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    draw.text((MARGIN, MARGIN), "LỘ TRÌNH BƯU TÁ / Courier route", font=font("title"), fill=INK)
    header = f"{data.courier} — {data.day} — {data.depot} — {len(data.stops)} điểm dừng / stops"
    draw.text((MARGIN, MARGIN + 50), header, font=font("body"), fill=INK)
    top = MARGIN + 100
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
    return page


def _scale_bar(draw: ImageDraw.ImageDraw, per_px: float, origin: tuple[int, int]) -> None:
    """A bar of a round length close to 200 px."""
    length_m = min(_SCALE_STEPS_M, key=lambda m: abs(m / per_px - 200))
    x, y = origin
    px = length_m / per_px
    draw.line([(x, y), (x + px, y)], fill=INK, width=4)
    label = f"{length_m // 1000} km" if length_m >= 1000 else f"{length_m} m"
    draw.text((x, y - 26), label, font=font("small"), fill=INK)


def window_text(window: tuple[datetime, datetime], day: date, zone: ZoneInfo) -> str:
    """The window's hours, with its dates when it does not lie within the stop's day (a window
    from 13:30 to 17:00 the next day is not read as one on the planned day)."""
    first, last = (moment.astimezone(zone) for moment in window)
    midnight = datetime.combine(day + timedelta(days=1), time.min, zone)
    if first.date() == day and (last.date() == day or last == midnight):
        return f"{first:%H:%M}-{last:%H:%M}"
    return f"{first:%d/%m %H:%M} - {last:%d/%m %H:%M}"


def _list_page(data: SheetData, stops: tuple[SheetStop, ...], number: int) -> Image.Image:
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    draw.text(
        (MARGIN, MARGIN),
        f"{data.courier} — {data.day} — trang / page {number}",
        font=font("small"),
        fill=MUTED,
    )
    y = MARGIN + 40
    for stop in stops:
        window = window_text(stop.window, stop.arrival.astimezone(data.zone).date(), data.zone)
        draw.text(
            (MARGIN, y),
            f"{stop.position + 1}. {local_time(stop.arrival, data.zone)[11:16]}"
            f"  (khung giờ / window {window})  {stop.action}",
            font=font("body"),
            fill=INK,
        )
        fee = f" — thu / collect {stop.fee_vnd:,} đ".replace(",", ".") if stop.fee_vnd else ""
        draw.text((MARGIN + 30, y + 32), stop.address[:90] + fee, font=font("small"), fill=MUTED)
        code = code128(stop.tracking_code)
        page.paste(code, (MARGIN + 30, y + 58))
        draw.text(
            (MARGIN + 40 + code.width, y + 70), stop.tracking_code, font=font("body"), fill=INK
        )
        y += ROW_H
    return page


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
