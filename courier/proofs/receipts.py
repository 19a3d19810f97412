"""Receipts drawn with Pillow: an A4 page in Vietnamese (English beneath), saved as PNG and PDF.

For a pickup it is the dossier slip the citizen keeps (documents ticked original or copy, fee,
seal); at a center it is the delivery record both sides signed; otherwise a handover receipt. The
QR code opens the dossier's custody check; the printed content hash, link hash and signature let
anyone tie the paper to its record and check it offline with the published public key, and the
link's custody log entry (day, number, hash) checks against the day's published, signed root. A long
record flows over as many A4 pages as it needs.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).parent / "fonts"
DPI = 150
PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 80
INK = (20, 20, 20)
MUTED = (90, 90, 90)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text as drawn on page `page` (0-based): the test reads the pages back."""

    text: str
    xy: tuple[int, int]
    style: str
    page: int = 0


@dataclass(frozen=True, slots=True)
class DossierPart:
    """One dossier of the handover as the receipt shows it."""

    tracking_code: str
    procedure: str
    applicant: str
    documents: tuple[tuple[str, str, bool], ...]  # (name, ticked form label, original required)
    link_hash: str
    signature: str
    custody_url: str
    anchor: str = ""  # its custody log entry: "day #number entry-hash"


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """Everything a receipt prints, already resolved to display text."""

    handover_id: int
    title_vi: str
    title_en: str
    recorded_at: datetime
    device_at: datetime
    giver: str
    receiver: str
    place: str
    seal_number: str | None
    fee_vnd: int | None
    dossiers: tuple[DossierPart, ...]
    signatures: tuple[tuple[str, bytes], ...]  # (caption, PNG)
    photos: tuple[bytes, ...]
    key_id: str
    zone: ZoneInfo
    content_hash: str = ""
    removed_images: int = 0


BOTTOM = PAGE[1] - MARGIN - 40  # the last line of text ends above the page number


def line_height(style: str, gap: int) -> int:
    """Pixels a line of `style` takes, with `gap` below it."""
    return int(font(style).size * 1.25) + gap


@dataclass(slots=True)
class Page:
    """The pages being drawn, top to bottom, and the lines written so far."""

    images: list[Image.Image] = field(default_factory=list)
    y: int = MARGIN
    lines: list[Line] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.new_page()

    @property
    def image(self) -> Image.Image:
        """The page being drawn."""
        return self.images[-1]

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        """A pen on the page being drawn."""
        return ImageDraw.Draw(self.image)

    def new_page(self) -> None:
        """Start a fresh A4 page at the top margin."""
        self.images.append(Image.new("RGB", PAGE, "white"))
        self.y = MARGIN

    def ensure(self, height: int) -> None:
        """Start a new page unless `height` more pixels fit on this one."""
        if self.y + height > BOTTOM and self.y > MARGIN:
            self.new_page()

    def text(self, text: str, style: str = "body", x: int = MARGIN, gap: int = 8) -> None:
        """Write one line and move down, to a new page when this one is full."""
        self.ensure(line_height(style, gap))
        self.write(text, style, (x, self.y))
        self.y += line_height(style, gap)

    def write(self, text: str, style: str, xy: tuple[int, int]) -> None:
        """Draw one line at a given place on the page being drawn."""
        fill = MUTED if style == "small" else INK
        self.draw.text(xy, text, font=font(style), fill=fill)
        self.lines.append(Line(text, xy, style, len(self.images) - 1))


@cache
def font(style: str) -> ImageFont.FreeTypeFont:
    """The bundled DejaVu faces (full Vietnamese coverage) in the receipt's sizes."""
    bold = "DejaVuSans-Bold.ttf"
    files = {"title": bold, "heading": bold, "strong": bold, "large": bold}
    sizes = {
        "title": 34,
        "heading": 24,
        "body": 22,
        "strong": 22,
        "small": 17,
        "mono": 15,
        "large": 60,
    }
    name = files.get(style, "DejaVuSansMono.ttf" if style == "mono" else "DejaVuSans.ttf")
    return ImageFont.truetype(str(FONTS / name), sizes[style])


def vnd(amount: int) -> str:
    """25000 -> '25.000 đ' (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đ"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """'21/11/2026 14:05 (GMT+7)'."""
    shown = moment.astimezone(zone)
    offset = shown.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    return shown.strftime("%d/%m/%Y %H:%M") + f" (GMT{hours:+d})"


def render(data: ReceiptData) -> tuple[bytes, bytes, list[Line]]:
    """The receipt as (PNG bytes, PDF bytes, the lines drawn).

    However many dossiers it lists, nothing falls off: the PDF has as many A4 pages as needed,
    and the PNG is those pages stacked one under the other (page `n` starts at `n * PAGE[1]`).
    """
    page = Page()
    _header(page, data)
    for part in data.dossiers:
        _dossier(page, part)
    _signatures(page, data.signatures)
    _photos(page, data.photos, data.removed_images)
    _proof(page, data)
    number_pages(page, _receipt_page_caption(data.handover_id))
    tall = Image.new("RGB", (PAGE[0], PAGE[1] * len(page.images)), "white")
    for index, image in enumerate(page.images):
        tall.paste(image, (0, index * PAGE[1]))
    png = io.BytesIO()
    tall.save(png, "PNG", compress_level=6, dpi=(DPI, DPI))
    return png.getvalue(), pdf_of(page.images, f"{data.title_vi} #{data.handover_id}"), page.lines


def pdf_of(images: list[Image.Image], title: str) -> bytes:
    """The pages as one PDF, an A4 page each at the receipts' resolution."""
    pdf = io.BytesIO()
    first, *rest = images
    first.save(pdf, "PDF", resolution=DPI, save_all=True, append_images=rest, title=title)
    return pdf.getvalue()


def qr_image(url: str, scale: int = 4) -> Image.Image:
    """The URL as a QR code (error correction M, a two-module quiet zone), black on white."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return Image.open(buffer).convert("RGB")


def _receipt_page_caption(handover_id: int) -> Callable[[int, int], str]:
    return lambda n, count: f"Biên nhận số {handover_id} — Trang {n}/{count} / Page {n} of {count}"


def number_pages(page: Page, caption: Callable[[int, int], str]) -> None:
    """Write `caption(page number, page count)` at the foot of every page drawn."""
    count = len(page.images)
    for index, image in enumerate(page.images):
        text = caption(index + 1, count)
        xy = (MARGIN, PAGE[1] - MARGIN - 20)
        ImageDraw.Draw(image).text(xy, text, font=font("small"), fill=MUTED)
        page.lines.append(Line(text, xy, "small", index))


def _header(page: Page, data: ReceiptData) -> None:
    page.text(data.title_vi, "title", gap=2)
    page.text(data.title_en, "small", gap=18)
    page.text(f"Số biên nhận / No.: {data.handover_id}")
    page.text(f"Thời gian / Time: {local_time(data.device_at, data.zone)}")
    page.text(f"Ghi nhận lúc / Recorded: {local_time(data.recorded_at, data.zone)}", "small")
    page.text(f"Bên giao / Given by: {data.giver}")
    page.text(f"Bên nhận / Received by: {data.receiver}")
    page.text(f"Địa điểm / Place: {data.place}")
    if data.seal_number:
        page.text(f"Số niêm phong / Seal: {data.seal_number}")
    if data.fee_vnd is not None:
        page.text(f"Phí đã thu / Fee collected: {vnd(data.fee_vnd)}")
    page.y += 10


def _dossier(page: Page, part: DossierPart) -> None:
    code = qr_image(part.custody_url)
    lines = (
        line_height("heading", 8)
        + line_height("body", 8)
        + line_height("small", 4) * len(part.documents)
    )
    page.ensure(max(lines, code.height) + line_height("small", 16))  # the block stays on one page
    page.text(f"Hồ sơ / Dossier {part.tracking_code}", "heading")
    page.text(f"{part.procedure} — {part.applicant}")
    for index, (name, form, original_required) in enumerate(part.documents, start=1):
        wanted = " (yêu cầu bản chính)" if original_required and form != "Bản chính" else ""
        page.text(f"  {index}. [x] {form}: {name}{wanted}", "small", gap=4)
    page.image.paste(code, (PAGE[0] - MARGIN - code.width, max(page.y - code.height, MARGIN)))
    page.text("Quét mã QR để kiểm tra chuỗi lưu giữ / Scan to check custody", "small", gap=16)


def _signatures(page: Page, signatures: tuple[tuple[str, bytes], ...]) -> None:
    if not signatures:
        return
    x = MARGIN
    page.ensure(250)
    top = page.y
    tallest = 0
    for caption, png in signatures:
        ink = _on_white(Image.open(io.BytesIO(png)))
        ink.thumbnail((480, 200))
        page.image.paste(ink, (x, top + 34))
        page.write(caption, "small", (x, top))
        page.draw.rectangle((x - 4, top + 30, x + 484, top + 238), outline=(180, 180, 180))
        tallest = max(tallest, 250)
        x += 540
    page.y = top + tallest + 10


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def _photos(page: Page, photos: tuple[bytes, ...], removed: int) -> None:
    if removed:
        page.text(
            f"Đã xoá {removed} ảnh/chữ ký theo thời hạn lưu trữ; mã SHA-256 vẫn trong chuỗi lưu giữ",
            "small",
            gap=2,
        )
        page.text(
            f"{removed} images removed by retention; their digests remain in the custody chain",
            "small",
        )
    if not photos:
        return
    size = 170
    page.ensure(line_height("small", 4) + size + 16)
    page.text(f"Ảnh chụp / Photos: {len(photos)}", "small", gap=4)
    x = MARGIN
    for data in photos:
        thumb = Image.open(io.BytesIO(data)).convert("RGB")
        thumb.thumbnail((size, size))
        page.image.paste(thumb, (x, page.y))
        x += size + 12
    page.y += size + 16


def _proof(page: Page, data: ReceiptData) -> None:
    """Key id, content hash, and each dossier's link hash and signature, at the page's foot."""
    mono = line_height("mono", 2)
    each = [mono * (2 if part.anchor else 1) + line_height("mono", 6) for part in data.dossiers]
    needed = mono * 2 + sum(each)
    if page.y + needed <= BOTTOM:
        page.y = BOTTOM - needed
    page.text(f"Khóa công khai / Public key: {data.key_id}", "mono", gap=2)
    page.text(f"Nội dung / Content SHA-256 {data.content_hash}", "mono", gap=2)
    for part, height in zip(data.dossiers, each, strict=True):
        page.ensure(height)  # a link's hash, signature and log entry stay together
        page.text(f"{part.tracking_code} SHA-256 {part.link_hash}", "mono", gap=2)
        if part.anchor:
            page.text(f"Sổ neo / Custody log {part.anchor}", "mono", gap=2)
        page.text(f"Ed25519 {part.signature}", "mono", gap=6)
