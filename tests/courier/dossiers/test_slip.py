"""The booking slip as drawn: the code in large type, every line on the page, long lists flow over."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from api import i18n
from courier.dossiers import slip
from courier.dossiers.booking import Quote
from courier.dossiers.models import ResultReturn
from courier.proofs.receipts import MARGIN, PAGE, font
from courier.settings import Settings
from tests.courier.proofs.layout import assert_laid_out, printed

ZONE = Settings().zone
DATA = slip.SlipData(
    code="HS123456785VN",
    tracking_url="https://dichvucong.example.vn/track/HS123456785VN",
    procedure="Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
    site_name="Chi nhánh Văn phòng đăng ký đất đai Thủ Dầu Một",
    site_address="Số 1 Quang Trung, phường Phú Cường, Thủ Dầu Một, Bình Dương",
    pickup_on=date(2026, 12, 2),
    window=(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), datetime(2026, 12, 2, 4, 30, tzinfo=UTC)),
    result_return=ResultReturn.POST,
    documents=(
        slip.Document("Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)", True, 1),
        slip.Document("Ảnh màu 4x6 cm, nền trắng", True, 2),
        slip.Document("Căn cước công dân hoặc hộ chiếu", False, 1),
    ),
    fees=Quote(100_000, 25_000, 25_000),
    cancelled=False,
)


def wording(lang: str) -> slip.Wording:
    """The app's translations and formats, as the slip route passes them."""
    return slip.Wording(
        text=lambda message: i18n.gettext(lang, message),
        day=lambda value: i18n.day(value, lang),
        clock=lambda value: i18n.clock(value, ZONE, lang),
        money=lambda amount: i18n.money(amount, lang),
    )


def test_the_slip_shows_code_window_documents_and_total_in_vietnamese() -> None:
    """One page: the code in large type, 08:00–11:30 on 02/12/2026, each document, 150.000 đ."""
    pdf, page = slip.render(DATA, wording("vi"))
    assert pdf.startswith(b"%PDF-")
    assert len(page.images) == 1
    texts = {line.text: line for line in page.lines}
    assert texts["HS123456785VN"].style == "large"
    assert "PHIẾU HẸN THU GOM HỒ SƠ" in texts
    assert "02/12/2026, 08:00–11:30" in texts
    assert "2. Ảnh màu 4x6 cm, nền trắng" in texts
    assert "Bản chính · Số lượng: 2" in texts
    assert "150.000 đ" in texts
    assert texts["150.000 đ"].style == "strong"
    assert "Phiếu hẹn HS123456785VN, trang 1/1" in texts


def test_every_line_stays_inside_the_margins() -> None:
    """Long names wrap: no line runs past the right margin, none below the page's foot."""
    long_name = replace(DATA, procedure=" ".join(["Đăng ký biến động đất đai"] * 12))
    _, page = slip.render(long_name, wording("en"))
    for line in page.lines:
        right = line.xy[0] + font(line.style).getlength(line.text)
        assert right <= PAGE[0] - MARGIN + 1, line
        assert line.xy[1] <= PAGE[1] - MARGIN, line
    assert sum("Đăng ký biến động" in line.text for line in page.lines) >= 3


def test_a_long_checklist_flows_onto_a_second_numbered_page() -> None:
    """Forty documents take more A4 pages, each numbered, each document whole on one page."""
    many = tuple(slip.Document(f"Giấy tờ số {n}", n % 2 == 0, 1) for n in range(1, 41))
    pdf, page = slip.render(replace(DATA, documents=many), wording("en"))
    count = len(page.images)
    assert count >= 2
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == count
    footers = [line.text for line in page.lines if line.text.startswith("Slip ")]
    assert footers == [f"Slip HS123456785VN, page {n} of {count}" for n in range(1, count + 1)]
    texts = [line.text for line in page.lines]
    for n in range(1, 41):
        at = texts.index(f"{n}. Giấy tờ số {n}")
        assert texts[at + 1].startswith(("Original · ", "Copy · "))
        assert page.lines[at].page == page.lines[at + 1].page  # a name and its form together


def test_a_cancelled_booking_is_marked_on_the_slip() -> None:
    """A slip printed after cancelling says so above the code."""
    _, page = slip.render(replace(DATA, cancelled=True), wording("vi"))
    texts = [line.text for line in page.lines]
    assert texts.index("Lịch thu gom này đã bị hủy.") < texts.index("HS123456785VN")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_long_center_name_and_address_wrap_clear_of_the_qr_code(lang: str) -> None:
    """The trial's center and a 120-character address: printed whole, every line inside the
    margins and off the QR code."""
    address = (
        "Tầng 1, Tháp A, Trung tâm Hành chính tập trung tỉnh, đường Lê Lợi, phường Hòa Phú, "
        "Thành phố Thủ Dầu Một, Bình Dương"
    )
    assert len(address) >= 110
    center = "Trung tâm Phục vụ hành chính công tỉnh Bình Dương"
    _, page = slip.render(replace(DATA, site_name=center, site_address=address), wording(lang))
    assert_laid_out(page)
    assert printed(page, f"{center}, {address}")
