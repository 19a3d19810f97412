"""Receipts are drawn in Vietnamese with every diacritic, and the page holds what the lines say."""

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from courier.proofs import receipts
from tests.builders import photo_jpeg, signature_png
from tests.courier.proofs.layout import assert_laid_out, printed

NOTDEF = "\ue000"  # a private-use code point: DejaVu has no glyph for it


def _part(code: str = "HS123456785VN") -> receipts.DossierPart:
    return receipts.DossierPart(
        tracking_code=code,
        procedure="Đăng ký khai sinh",
        applicant="Nguyễn Thị Hồng Nhung",
        documents=(
            ("Tờ khai đăng ký khai sinh theo mẫu", "Bản chính", True),
            ("Giấy chứng sinh", "Bản sao", True),
        ),
        link_hash="a" * 64,
        signature="b" * 88,
        anchor=f"2026-11-23 #1234 {'d' * 64}",
        custody_url=f"http://127.0.0.1:8000/api/v1/dossiers/{code}/custody",
    )


def _data(dossiers: int = 1) -> receipts.ReceiptData:
    parts = (_part(), *(_part(f"HS{100000000 + i:09d}VN") for i in range(1, dossiers)))
    return receipts.ReceiptData(
        handover_id=42,
        title_vi="PHIẾU BIÊN NHẬN HỒ SƠ",
        title_en="Dossier receipt",
        recorded_at=datetime(2026, 11, 23, 2, 5, 30, tzinfo=UTC),
        device_at=datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
        giver="Công dân Nguyễn Thị Hồng Nhung",
        receiver="Bưu tá Trần Quốc Việt (BD-CR-TDM-01)",
        place="GPS 10.980000, 106.650000 ±12 m",
        seal_number="NP-000123",
        fee_vnd=25_000,
        dossiers=parts,
        signatures=(("Chữ ký bên giao: Công dân Nguyễn Thị Hồng Nhung", signature_png()),),
        photos=(photo_jpeg(),),
        key_id="ed25519:0123456789abcdef",
        zone=ZoneInfo("Asia/Ho_Chi_Minh"),
        content_hash="c" * 64,
    )


def _glyph(face: ImageFont.FreeTypeFont, text: str) -> Image.Image:
    image = Image.new("L", (60 * len(text) + 40, 90))
    ImageDraw.Draw(image).text((10, 10), text, font=face, fill=255)
    return image


def test_every_character_has_a_real_glyph() -> None:
    """No tofu: each character of each line renders, and unlike the missing-glyph box."""
    _, _, lines = receipts.render(_data())
    text = "".join(line.text for line in lines)
    assert {"Ế", "ễ", "ồ", "ư", "ậ", "Đ", "đ", "ị"} <= set(text)
    for line in lines:
        face = receipts.font(line.style)
        tofu = _glyph(face, NOTDEF).tobytes()
        for char in set(line.text) - {" "}:
            drawn = _glyph(face, char)
            assert drawn.getbbox() is not None, (char, line.text)
            assert drawn.tobytes() != tofu, (char, line.text)


@pytest.mark.parametrize("dossiers", [1, 30])
def test_the_page_holds_each_line_as_drawn(dossiers: int) -> None:
    """Each line cut from the PNG (pages stacked) equals that text drawn alone with its face."""
    png, _, lines = receipts.render(_data(dossiers))
    page = Image.open(io.BytesIO(png)).convert("RGB")
    for line in lines:
        face = receipts.font(line.style)
        x, y = line.xy[0], line.xy[1] + line.page * receipts.PAGE[1]
        left, top, right, bottom = face.getbbox(line.text)
        box = (x + left, y + top, x + right, y + bottom)
        alone = Image.new("RGB", page.size, "white")
        fill = receipts.MUTED if line.style == "small" else receipts.INK
        ImageDraw.Draw(alone).text((x, y), line.text, font=face, fill=fill)
        assert ImageChops.difference(page.crop(box), alone.crop(box)).getbbox() is None, line.text


def test_thirty_dossiers_flow_over_pages_and_every_code_is_printed() -> None:
    """No line falls off a page: each code's heading and signed link are on some page, inside it."""
    png, pdf, lines = receipts.render(_data(30))
    pages = 1 + max(line.page for line in lines)
    assert pages > 1
    assert Image.open(io.BytesIO(png)).size == (receipts.PAGE[0], receipts.PAGE[1] * pages)
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == pages
    for line in lines:
        bottom = line.xy[1] + receipts.font(line.style).getbbox(line.text)[3]
        assert bottom <= receipts.PAGE[1] - receipts.MARGIN, line
    text = [line.text for line in lines]
    for part in _data(30).dossiers:
        assert f"Hồ sơ / Dossier {part.tracking_code}" in text
        assert f"{part.tracking_code} SHA-256 {part.link_hash}" in text
    assert f"Trang {pages}/{pages} / Page {pages} of {pages}" in text[-1]


def test_the_receipt_prints_the_content_hash_key_and_signatures() -> None:
    """The record's content hash ties the paper to the record; link hash and signature check it,
    and the link's custody log entry checks against the day's published root."""
    _, _, lines = receipts.render(_data())
    text = [line.text for line in lines]
    assert f"Nội dung / Content SHA-256 {'c' * 64}" in text
    assert "Khóa công khai / Public key: ed25519:0123456789abcdef" in text
    assert f"Ed25519 {'b' * 88}" in text
    assert f"Sổ neo / Custody log 2026-11-23 #1234 {'d' * 64}" in text


def test_diacritics_change_the_drawing() -> None:
    """'BIÊN NHẬN' is not drawn as 'BIEN NHAN': the marks are on the page."""
    face = receipts.font("title")
    assert _glyph(face, "BIÊN NHẬN").tobytes() != _glyph(face, "BIEN NHAN").tobytes()


def test_the_receipt_prints_local_time_fee_seal_and_the_checklist() -> None:
    """09:05 in Ho Chi Minh City (02:05 UTC), 25.000 đ, the seal, each document's form."""
    _, pdf, lines = receipts.render(_data())
    text = "\n".join(line.text for line in lines)
    assert "23/11/2026 09:05 (GMT+7)" in text
    assert "25.000 đ" in text
    assert "NP-000123" in text
    assert "[x] Bản chính: Tờ khai đăng ký khai sinh theo mẫu" in text
    assert "[x] Bản sao: Giấy chứng sinh (yêu cầu bản chính)" in text
    assert pdf.startswith(b"%PDF")
    assert b"/XObject" in pdf


CENTER = "Trung tâm Phục vụ hành chính công tỉnh Bình Dương"
PLACE = (
    f"{CENTER}, Tầng 1, Tháp A, Trung tâm Hành chính tập trung tỉnh, đường Lê Lợi, "
    "phường Hòa Phú, Thành phố Thủ Dầu Một, Bình Dương"
)


def test_a_counter_receipt_wraps_its_long_lines_clear_of_the_qr_codes() -> None:
    """The trial's delivery record at a center: the place (a center's name and its 120-character
    address) and the signature captions wrap inside the margins, printed whole; each dossier's QR
    code lies beside its own lines, on no text and no other code (three dossiers without a
    checklist, shorter than their codes)."""
    parts = tuple(replace(_part(f"HS{100000000 + i:09d}VN"), documents=()) for i in range(3))
    data = replace(
        _data(),
        title_vi="BIÊN BẢN BÀN GIAO HỒ SƠ",
        title_en="Dossier delivery record",
        giver="Bưu tá Đỗ Văn Thắng (BD-CR-DA-01)",
        receiver=CENTER,
        place=PLACE,
        dossiers=parts,
        signatures=(
            ("Chữ ký bên giao: Bưu tá Đỗ Văn Thắng (BD-CR-DA-01)", signature_png()),
            (f"Chữ ký bên nhận: {CENTER}", signature_png()),
        ),
        photos=(),
    )
    page = receipts.draw(data)
    assert_laid_out(page)
    assert printed(page, f"Địa điểm / Place: {PLACE}")
    assert printed(page, f"Chữ ký bên nhận: {CENTER}")
    assert len(page.pictures) == 3 + 2  # the codes and the signatures
