"""Receipts drawn with Pillow: an A4 page in Vietnamese (English beneath), saved as PNG and PDF.

For a pickup it is the dossier slip the citizen keeps (documents ticked original or copy, fee,
seal); at a center it is the delivery record both sides signed; otherwise a handover receipt. The
QR code opens the dossier's custody check; the printed content hash, link hash and signature let
anyone tie the paper to its record and check it offline with the published public key, and the
link's custody log entry (day, number, hash) checks against the day's published, signed root. A long
record flows over as many A4 pages as it needs.

`Page` is the pen every printed page of the service uses (receipts, the booking slip, the center
report, the route sheet, the citizen's data copy): its lines wrap at spaces to the page's right
margin (`wrap`), and it remembers where each line and each picture went, so a test can check that
nothing runs off the page or lies on something else.
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
RIGHT = PAGE[0] - MARGIN  # no text or picture goes past this x


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text as drawn on page `page` (0-based): the test reads the pages back."""

    text: str
    xy: tuple[int, int]
    style: str
    page: int = 0


@dataclass(frozen=True, slots=True)
class Picture:
    """Where an image (QR code, barcode, signature, photo) was pasted on page `page`."""

    box: tuple[int, int, int, int]  # left, top, right, bottom
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
    pictures: list[Picture] = field(default_factory=list)

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

    def text(
        self,
        text: str,
        style: str = "body",
        x: int = MARGIN,
        gap: int = 8,
        width: int | None = None,
    ) -> None:
        """Write `text` from `x` over as many lines as it needs within `width` pixels (up to the
        right margin by default), `gap` pixels under its last line, and move down; a paragraph
        that fits on a page is not split over two."""
        lines = wrap(text, style, RIGHT - x if width is None else width)
        self.ensure(line_height(style, 2) * (len(lines) - 1) + line_height(style, gap))
        for index, line in enumerate(lines):
            below = gap if index == len(lines) - 1 else 2
            self.ensure(line_height(style, below))
            self.write(line, style, (x, self.y))
            self.y += line_height(style, below)

    def write(self, text: str, style: str, xy: tuple[int, int]) -> None:
        """Draw one line at a given place on the page being drawn (it is not wrapped)."""
        fill = MUTED if style == "small" else INK
        self.draw.text(xy, text, font=font(style), fill=fill)
        self.lines.append(Line(text, xy, style, len(self.images) - 1))

    def paste(self, image: Image.Image, xy: tuple[int, int]) -> None:
        """Paste an image at a given place on the page being drawn."""
        self.image.paste(image, xy)
        box = (xy[0], xy[1], xy[0] + image.width, xy[1] + image.height)
        self.pictures.append(Picture(box, len(self.images) - 1))


def wrap(text: str, style: str, width: float) -> list[str]:
    """`text` cut into lines no wider than `width` pixels in `style`'s face.

    Lines break at spaces (several spaces between words stay as they are); a word wider than a
    line is cut between characters; a newline starts a new line; the spaces a paragraph begins
    with indent each of its lines.
    """
    measure = font(style).getlength
    lines: list[str] = []
    for paragraph in text.split("\n"):
        body = paragraph.lstrip(" ")
        indent = paragraph[: len(paragraph) - len(body)]
        current, spaces = "", ""
        for word in body.split(" "):
            if not word:  # a second space in a row
                spaces += " "
                continue
            if current and measure(f"{current}{spaces} {word}") <= width:
                current = f"{current}{spaces} {word}"
            else:
                if current:
                    lines.append(current)
                current = indent + word
                while measure(current) > width and len(current) > len(indent) + 1:
                    cut = len(current) - 1
                    while cut > len(indent) + 1 and measure(current[:cut]) > width:
                        cut -= 1
                    lines.append(current[:cut])
                    current = indent + current[cut:]
            spaces = ""
        lines.append(current)
    return lines


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
    page = draw(data)
    tall = Image.new("RGB", (PAGE[0], PAGE[1] * len(page.images)), "white")
    for index, image in enumerate(page.images):
        tall.paste(image, (0, index * PAGE[1]))
    png = io.BytesIO()
    tall.save(png, "PNG", compress_level=6, dpi=(DPI, DPI))
    return png.getvalue(), pdf_of(page.images, f"{data.title_vi} #{data.handover_id}"), page.lines


def draw(data: ReceiptData) -> Page:
    """The receipt's A4 pages as drawn, with where each line and picture went."""
    page = Page()
    _header(page, data)
    for part in data.dossiers:
        _dossier(page, part)
    _signatures(page, data.signatures)
    _photos(page, data.photos, data.removed_images)
    _proof(page, data)
    number_pages(page, _receipt_page_caption(data.handover_id))
    return page


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
    """The dossier's lines on the left, its QR code on their right: the block stays on one page
    and ends below the code."""
    code = qr_image(part.custody_url)
    width = RIGHT - MARGIN - code.width - 20  # the text keeps clear of the code
    lines = [
        (f"Hồ sơ / Dossier {part.tracking_code}", "heading", 8),
        (f"{part.procedure} — {part.applicant}", "body", 8),
    ]
    for index, (name, form, original_required) in enumerate(part.documents, start=1):
        wanted = " (yêu cầu bản chính)" if original_required and form != "Bản chính" else ""
        lines.append((f"  {index}. [x] {form}: {name}{wanted}", "small", 4))
    height = sum(
        line_height(style, 2) * (len(wrap(text, style, width)) - 1) + line_height(style, gap)
        for text, style, gap in lines
    )
    caption = "Quét mã QR để kiểm tra chuỗi lưu giữ / Scan to check custody"
    page.ensure(max(height, code.height + 8) + line_height("small", 16))
    top = page.y
    page.paste(code, (RIGHT - code.width, top))
    for text, style, gap in lines:
        page.text(text, style, gap=gap, width=width)
    page.y = max(page.y, top + code.height + 8)
    page.text(caption, "small", gap=16)


def _signatures(page: Page, signatures: tuple[tuple[str, bytes], ...]) -> None:
    """Each signature in a frame under its caption (wrapped to the frame's width), two a row."""
    frame = (488, 208)
    for first in range(0, len(signatures), 2):
        row = signatures[first : first + 2]
        captions = [wrap(caption, "small", frame[0]) for caption, _png in row]
        above = max(len(lines) for lines in captions) * line_height("small", 2) + 4
        page.ensure(above + frame[1] + 12)
        top = page.y
        for column, ((_caption, png), lines) in enumerate(zip(row, captions, strict=True)):
            x = MARGIN + column * (frame[0] + 56)
            for index, text in enumerate(lines):
                page.write(text, "small", (x, top + index * line_height("small", 2)))
            ink = _on_white(Image.open(io.BytesIO(png)))
            ink.thumbnail((frame[0] - 8, frame[1] - 8))
            page.paste(ink, (x + 4, top + above + 4))
            box = (x, top + above, x + frame[0], top + above + frame[1])
            page.draw.rectangle(box, outline=(180, 180, 180))
        page.y = top + above + frame[1] + 12


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
        if x + size > RIGHT:  # the next row
            page.y += size + 12
            page.ensure(size + 16)
            x = MARGIN
        thumb = Image.open(io.BytesIO(data)).convert("RGB")
        thumb.thumbnail((size, size))
        page.paste(thumb, (x, page.y))
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
