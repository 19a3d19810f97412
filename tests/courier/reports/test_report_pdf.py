"""The report's figures and its A4 PDF, on June 2026 of the statistics tests: the trend adds up
to the period, every center's total is their sum, and the PDF prints the figures in Vietnamese
with bars as long as their rates."""

from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import pairwise

import pytest
from sqlalchemy.orm import Session

from courier.actors import SYSTEM
from courier.proofs.receipts import MARGIN, PAGE, line_height
from courier.reports import figures, pdf
from courier.reports.figures import Report
from courier.settings import Settings
from courier.stats.periods import period
from tests.api.test_center_report_pages import make_world
from tests.courier.proofs.layout import assert_laid_out, printed

MADE = datetime(2026, 7, 1, 1, 30, tzinfo=UTC)  # 08:30 in Vietnam


@pytest.fixture
def june(session: Session, settings: Settings) -> Report:
    """BD-TDM's report for June 2026."""
    make_world(session)
    span = period(date(2026, 6, 1), date(2026, 6, 30), settings.zone)
    return figures.report(session, SYSTEM, "BD-TDM", span, settings, MADE)


def test_the_trend_is_daily_and_adds_up(june: Report) -> None:
    """30 days, whose received and returned add up to the month's counts."""
    assert len(june.trend) == 30
    assert june.trend[0].from_on == june.trend[0].to_on == date(2026, 6, 1)
    assert sum(b.received for b in june.trend) == june.total.received == 5
    assert sum(b.returned for b in june.trend) == june.total.returned == 5


@pytest.mark.parametrize(
    ("first", "last", "count", "second"),
    [
        (date(2026, 6, 1), date(2026, 7, 1), 31, date(2026, 6, 2)),  # days up to 31
        (date(2026, 6, 3), date(2026, 8, 31), 14, date(2026, 6, 8)),  # weeks from Monday
        (date(2026, 1, 15), date(2026, 12, 31), 12, date(2026, 2, 1)),  # months
    ],
)
def test_trend_steps(first: date, last: date, count: int, second: date, settings: Settings) -> None:
    """Days, then weeks cut at Mondays, then calendar months; the steps cover the period."""
    steps = figures.steps(period(first, last, settings.zone))
    assert len(steps) == count
    assert steps[0][0] == first
    assert steps[1][0] == second
    assert steps[-1][1] == last
    assert all(b[0] == a[1].fromordinal(a[1].toordinal() + 1) for a, b in pairwise(steps))


def test_every_center_adds_up(session: Session, settings: Settings) -> None:
    """With no center: a row per center and a total that is their sum (BD-TDM's 5 and BD-TA's 1
    received; BD-TA's failed pickup with BD-TDM's four failures)."""
    make_world(session)
    span = period(date(2026, 6, 1), date(2026, 6, 30), settings.zone)
    every = figures.report(session, SYSTEM, None, span, settings, MADE)
    assert every.comparison
    assert len(every.rows) == 28
    assert every.total.received == 6
    assert every.total.end_to_end.on_time == 3
    assert every.total.end_to_end.total == 6
    assert every.total.failed_attempts == {"not_home": 3, "refused": 1, "site_closed": 1}


def test_the_pdf_prints_the_figures_in_vietnamese(june: Report, settings: Settings) -> None:
    """Center, period, the time it was made in Vietnam time, counts, 'x trên y' and reasons."""
    document, drawn = pdf.render(june, "vi", settings.zone)
    assert document.startswith(b"%PDF-")
    assert all(image.size == PAGE for image in drawn.images)
    lines = [line.text for line in drawn.lines]
    assert lines[:3] == [
        "Báo cáo: Chi nhánh Thủ Dầu Một",
        "Từ 01/06/2026 đến 30/06/2026",
        "Lập lúc 01/07/2026 08:30 (GMT+7) · BD-TDM",
    ]
    assert "Trung tâm đã tiếp nhận: 5" in lines
    assert "40 % (2 trên 5)" in lines
    assert "80 % (4 trên 5)" in lines
    assert "Quầy đóng cửa" in lines
    assert "Bị từ chối" in lines
    assert lines[-1] == f"Trang {len(drawn.images)}/{len(drawn.images)}"


def test_a_bar_is_as_long_as_its_rate(june: Report, settings: Settings) -> None:
    """End to end is 40 %: its bar is filled to 40 % of the track and empty after."""
    _, drawn = pdf.render(june, "en", settings.zone)
    label = next(line for line in drawn.lines if line.text.startswith("End to end"))
    image = drawn.images[label.page]
    y = label.xy[1] + line_height("body", 4) + 11
    length = PAGE[0] - 2 * MARGIN - 300
    assert image.getpixel((MARGIN + int(length * 0.4) - 3, y)) == pdf.BRAND
    assert image.getpixel((MARGIN + int(length * 0.4) + 3, y)) == pdf.TRACK


def test_every_centers_table_goes_on_over_the_page(session: Session, settings: Settings) -> None:
    """Side by side: every center's code and the total are printed, and the table's header
    stands again at the top of each page it goes on to."""
    make_world(session)
    span = period(date(2026, 6, 1), date(2026, 6, 30), settings.zone)
    every = figures.report(session, SYSTEM, None, span, settings, MADE)
    _, drawn = pdf.render(every, "en", settings.zone)
    texts = [line.text for line in drawn.lines]
    assert all(row.site_code in texts for row in every.rows)
    assert "All centers" in texts
    heads = [line.page for line in drawn.lines if line.text == "Center"]
    codes = {line.page for line in drawn.lines if line.text.startswith("BD-")}
    assert len(drawn.images) == 2
    assert heads == sorted(codes) == [0, 1]
    assert_laid_out(drawn)


CENTER_VI = "Trung tâm Phục vụ hành chính công tỉnh Bình Dương"
CENTER_EN = "Binh Duong Provincial Public Administration Service Center"


@pytest.mark.parametrize(("lang", "title"), [("vi", CENTER_VI), ("en", CENTER_EN)])
def test_a_long_center_name_wraps_inside_the_page(
    june: Report, settings: Settings, lang: str, title: str
) -> None:
    """The trial's center: its title ran off the right edge ('…tỉnh Bình Dươn', 'Center' gone).
    It wraps: every word printed, every line inside the margins, the strip right of the margin
    blank."""
    total = replace(june.total, site_name_vi=CENTER_VI, site_name_en=CENTER_EN)
    long_named = replace(june, rows=(total,), total=total)
    _, drawn = pdf.render(long_named, lang, settings.zone)
    assert_laid_out(drawn)
    heading = "Báo cáo: " if lang == "vi" else "Report: "
    assert printed(drawn, heading + title)
