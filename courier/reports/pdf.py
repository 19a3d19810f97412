"""The report on A4 paper, drawn with Pillow in the receipts' fonts (DejaVu: every Vietnamese
letter) and saved as PDF: the center, the period and when it was made (Vietnam time), the counts,
on-time bars per leg, failed attempts per reason, days per stage, the trend and, for every
center, a table side by side. The page's texts are the catalogue's, in the reader's language; a
text longer than its place (a center's long name, a column's name) wraps at spaces.
"""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from courier import i18n
from courier.proofs import receipts
from courier.proofs.receipts import BOTTOM, MARGIN, PAGE, Page, line_height, wrap
from courier.reports import figures
from courier.reports.figures import Bar, Bucket, Report
from courier.stats.service import SiteStats
from courier.text import mark

WIDTH = PAGE[0] - 2 * MARGIN
BRAND, GOOD, BAD, TRACK = (11, 83, 148), (30, 107, 42), (166, 27, 27), (225, 229, 234)
TITLE = mark("Report: %(center)s")
PERIOD = mark("From %(from)s to %(to)s")
MADE = mark("Made on %(moment)s")
PAGE_OF = mark("Page %(n)s of %(count)s")
TREND_HEIGHT = 260
# the comparison table's columns: where each begins, from the margin, and its width
COLUMNS = (0, 330, 460, 590, 720, 850, 980)
WIDTHS = tuple(b - a for a, b in zip(COLUMNS, (*COLUMNS[1:], WIDTH), strict=True))
ROW = line_height("body", 6)


def render(report: Report, lang: str, zone: ZoneInfo) -> tuple[bytes, Page]:
    """The report as a PDF, and the pages drawn (their images and lines, for checking)."""

    def _(message: str) -> str:
        return i18n.gettext(lang, message)

    page = Page()
    _header(page, report, _, lang, zone)
    _counts(page, report.total, _)
    _bars(page, _("On time"), figures.leg_bars(report.total), BRAND, _, lang)
    failures = figures.failure_bars(report.total)
    _bars(page, _("Failed attempts by reason"), failures, BAD, _, lang)
    if not report.comparison:
        _stages(page, report.total, _, lang)
    _trend(page, report.trend, _)
    if report.comparison:
        _table(page, report, _, lang)
    receipts.number_pages(page, lambda n, count: _(PAGE_OF) % {"n": n, "count": count})
    title = _(TITLE) % {"center": _center(report.total, lang, _)}
    return receipts.pdf_of(page.images, title), page


def _center(row: SiteStats, lang: str, _: Callable[[str], str]) -> str:
    if not row.site_code:
        return _(row.site_name_en)
    return row.site_name_vi if lang == "vi" else row.site_name_en


def _header(page: Page, report: Report, _: Callable[[str], str], lang: str, zone: ZoneInfo) -> None:
    center = _center(report.total, lang, _)
    page.text(_(TITLE) % {"center": center}, "title", gap=6)
    span = report.period
    dates = {"from": span.from_on.strftime("%d/%m/%Y"), "to": span.to_on.strftime("%d/%m/%Y")}
    page.text(_(PERIOD) % dates, "strong")
    made = _(MADE) % {"moment": receipts.local_time(report.generated_at, zone)}
    page.text(f"{made} · {report.total.site_code}" if report.total.site_code else made, "small")
    page.y += 12


def _heading(page: Page, text: str, needed: int) -> None:
    page.ensure(line_height("heading", 10) + needed)
    page.y += 10
    page.text(text, "heading", gap=10)


def _counts(page: Page, row: SiteStats, _: Callable[[str], str]) -> None:
    _heading(page, _("Counts"), 3 * line_height("body", 8))
    page.text(f"{_('Received at the center')}: {row.received}")
    page.text(f"{_('Results returned')}: {row.returned}")
    page.text(f"    {_('delivered by post')}: {row.delivered}", "small", gap=4)
    page.text(f"    {_('collected at the counter')}: {row.collected_at_center}", "small")


def _bars(
    page: Page,
    title: str,
    bars: list[Bar],
    color: tuple[int, int, int],
    _: Callable[[str], str],
    lang: str,
) -> None:
    row = line_height("body", 4) + 30
    _heading(page, title, row)
    if not bars:
        page.text(_("None in the period."), "small")
        return
    length = WIDTH - 300
    for bar in bars:
        page.ensure(row)
        page.text(_(bar.label), gap=4)
        top = page.y
        page.draw.rectangle((MARGIN, top, MARGIN + length, top + 22), fill=TRACK)
        if bar.share > 0:
            page.draw.rectangle(
                (MARGIN, top, MARGIN + max(2, round(length * bar.share)), top + 22), fill=color
            )
        figure = wrap(figures.bar_text(bar, lang, _), "strong", WIDTH - length - 16)
        for index, text in enumerate(figure):
            page.write(text, "strong", (MARGIN + length + 16, top - 2 + index * ROW))
        page.y = top + max(30, len(figure) * ROW)


def _stages(page: Page, row: SiteStats, _: Callable[[str], str], lang: str) -> None:
    stages = figures.stage_days(row)
    _heading(page, _("Average days per stage"), line_height("body", 8) * len(stages))
    for label, days in stages:
        page.text(f"{_(label)}: {figures.days_text(days, lang, _)}")


def _trend(page: Page, buckets: tuple[Bucket, ...], _: Callable[[str], str]) -> None:
    title = _("Received and returned over the period")
    _heading(page, title, TREND_HEIGHT + 3 * line_height("small", 4))
    top, bottom = page.y, page.y + TREND_HEIGHT
    scale = figures.trend_top(buckets)
    step = WIDTH / max(1, len(buckets))
    width = max(2, int(step * 0.38))
    page.draw.line((MARGIN, bottom, MARGIN + WIDTH, bottom), fill=(120, 120, 120), width=2)
    for index, bucket in enumerate(buckets):
        x = MARGIN + int(index * step + step * 0.1)
        for offset, value, color in ((0, bucket.received, BRAND), (width, bucket.returned, GOOD)):
            height = round(TREND_HEIGHT * value / scale)
            if height:
                page.draw.rectangle(
                    (x + offset, bottom - height, x + offset + width, bottom), fill=color
                )
    page.write(str(scale), "small", (MARGIN, top - 4))
    page.y = bottom + 6
    first, last = buckets[0].from_on, buckets[-1].to_on
    page.write(first.strftime("%d/%m"), "small", (MARGIN, page.y))
    page.write(last.strftime("%d/%m"), "small", (MARGIN + WIDTH - 60, page.y))
    page.y += line_height("small", 4)
    page.draw.rectangle((MARGIN, page.y + 4, MARGIN + 18, page.y + 18), fill=BRAND)
    page.write(_("Received"), "small", (MARGIN + 26, page.y))
    page.draw.rectangle((MARGIN + 260, page.y + 4, MARGIN + 278, page.y + 18), fill=GOOD)
    page.write(_("Returned"), "small", (MARGIN + 286, page.y))
    page.y += line_height("small", 8)


def _table(page: Page, report: Report, _: Callable[[str], str], lang: str) -> None:
    heads = tuple(
        _(text)
        for text in (
            "Center",
            "Received",
            "Returned",
            "Pickup",
            "Arrival",
            "By due date",
            "End to end",
        )
    )
    _heading(page, _("Every center side by side"), 2 * line_height("small", 2) + ROW)
    _table_head(page, heads)
    for row in (*report.rows, report.total):
        cells = (
            row.site_code or _(row.site_name_en),
            str(row.received),
            str(row.returned),
            *(figures.percent(getattr(row, key).rate, lang) for key, _label in figures.LEGS),
        )
        style = "body" if row.site_code else "strong"
        cut = zip(cells, WIDTHS, strict=True)
        tall = max(len(wrap(cell, style, width - 12)) for cell, width in cut)
        if page.y + tall * ROW > BOTTOM:  # the table goes on over the page, under its header
            page.new_page()
            _table_head(page, heads)
        _cells(page, cells, style, ROW)


def _table_head(page: Page, heads: tuple[str, ...]) -> None:
    """The column names, each wrapped to its column, and a rule under them."""
    _cells(page, heads, "small", line_height("small", 2))
    page.y += 4
    page.draw.line((MARGIN, page.y, MARGIN + WIDTH, page.y), fill=receipts.MUTED, width=2)
    page.y += 6


def _cells(page: Page, cells: tuple[str, ...], style: str, height: int) -> None:
    """A row of the table: each cell wrapped to its column; the row as tall as its tallest."""
    tallest = 0
    for x, width, cell in zip(COLUMNS, WIDTHS, cells, strict=True):
        lines = wrap(cell, style, width - 12)
        for index, text in enumerate(lines):
            page.write(text, style, (MARGIN + x, page.y + index * height))
        tallest = max(tallest, len(lines))
    page.y += tallest * height
