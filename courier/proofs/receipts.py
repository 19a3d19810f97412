"""Receipts drawn with Pillow: an A4 page in Vietnamese (English beneath), saved as PNG and PDF.

For a pickup it is the dossier slip the citizen keeps (documents ticked original or copy, fee,
seal); at a center it is the delivery record both sides signed; otherwise a handover receipt. The
QR code opens the dossier's custody check; the printed link hash and signature let anyone check
the record offline with the published public key.
"""

import io
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
    """One line of text as drawn: the test reads the page back through these."""

    text: str
    xy: tuple[int, int]
    style: str


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


@dataclass(slots=True)
class Page:
    """A page being drawn, with the lines written so far."""

    image: Image.Image
    draw: ImageDraw.ImageDraw
    y: int = MARGIN
    lines: list[Line] = field(default_factory=list)

    def text(self, text: str, style: str = "body", x: int = MARGIN, gap: int = 8) -> None:
        """Write one line and move down."""
        face = font(style)
        self.draw.text((x, self.y), text, font=face, fill=MUTED if style == "small" else INK)
        self.lines.append(Line(text, (x, self.y), style))
        self.y += int(face.size * 1.25) + gap


@cache
def font(style: str) -> ImageFont.FreeTypeFont:
    """The bundled DejaVu faces (full Vietnamese coverage) in the receipt's sizes."""
    files = {"title": "DejaVuSans-Bold.ttf", "heading": "DejaVuSans-Bold.ttf"}
    sizes = {"title": 34, "heading": 24, "body": 22, "small": 17, "mono": 15}
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
    """The receipt as (PNG bytes, PDF bytes, the lines drawn)."""
    page = Page(Image.new("RGB", PAGE, "white"), ImageDraw.Draw(Image.new("RGB", (1, 1))))
    page.draw = ImageDraw.Draw(page.image)
    _header(page, data)
    for part in data.dossiers:
        _dossier(page, part)
    _signatures(page, data.signatures)
    _photos(page, data.photos)
    _proof(page, data)
    png, pdf = io.BytesIO(), io.BytesIO()
    page.image.save(png, "PNG", compress_level=6, dpi=(DPI, DPI))
    page.image.save(pdf, "PDF", resolution=DPI, title=f"{data.title_vi} #{data.handover_id}")
    return png.getvalue(), pdf.getvalue(), page.lines


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
    page.text(f"Hồ sơ / Dossier {part.tracking_code}", "heading")
    page.text(f"{part.procedure} — {part.applicant}")
    for index, (name, form, original_required) in enumerate(part.documents, start=1):
        wanted = " (yêu cầu bản chính)" if original_required and form != "Bản chính" else ""
        page.text(f"  {index}. [x] {form}: {name}{wanted}", "small", gap=4)
    qr = segno.make(part.custody_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=4, border=2)
    code = Image.open(buffer).convert("RGB")
    page.image.paste(code, (PAGE[0] - MARGIN - code.width, max(page.y - code.height, MARGIN)))
    page.text("Quét mã QR để kiểm tra chuỗi lưu giữ / Scan to check custody", "small", gap=16)


def _signatures(page: Page, signatures: tuple[tuple[str, bytes], ...]) -> None:
    if not signatures:
        return
    x = MARGIN
    top = page.y
    tallest = 0
    for caption, png in signatures:
        ink = _on_white(Image.open(io.BytesIO(png)))
        ink.thumbnail((480, 200))
        page.image.paste(ink, (x, top + 34))
        page.draw.text((x, top), caption, font=font("small"), fill=MUTED)
        page.lines.append(Line(caption, (x, top), "small"))
        page.draw.rectangle((x - 4, top + 30, x + 484, top + 238), outline=(180, 180, 180))
        tallest = max(tallest, 250)
        x += 540
    page.y = top + tallest + 10


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def _photos(page: Page, photos: tuple[bytes, ...]) -> None:
    if not photos:
        return
    page.text(f"Ảnh chụp / Photos: {len(photos)}", "small", gap=4)
    x, size = MARGIN, 170
    for data in photos:
        thumb = Image.open(io.BytesIO(data)).convert("RGB")
        thumb.thumbnail((size, size))
        page.image.paste(thumb, (x, page.y))
        x += size + 12
    page.y += size + 16


def _proof(page: Page, data: ReceiptData) -> None:
    page.y = max(page.y, PAGE[1] - MARGIN - 60 - 40 * len(data.dossiers))
    page.text(f"Khóa công khai / Public key: {data.key_id}", "mono", gap=2)
    for part in data.dossiers:
        page.text(f"{part.tracking_code} SHA-256 {part.link_hash}", "mono", gap=2)
        page.text(f"Ed25519 {part.signature}", "mono", gap=6)
