"""«Báo cáo» in a real browser: a clerk of BD-TDM chooses a period and sees the on-time chart and
the figures the statistics API gives for the same period; the PDF link serves the same report."""

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.web.backoffice import Backoffice
from tests.web.conftest import Variant, assert_accessible, screenshot
from tests.web.test_center_page import CLERK, sign_in

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Báo cáo: Chi nhánh Thủ Dầu Một",
        "from": "Từ ngày",
        "to": "Đến hết ngày",
        "show": "Xem theo khoảng ngày",
        "of": "trên",
        "pickup": "Thu gom trong khung giờ người dân chọn",
        "pdf": "Bản PDF để in",
        "report": "Báo cáo",
    },
    "en": {
        "title": "Report: Thu Dau Mot Branch",
        "from": "From",
        "to": "To (included)",
        "show": "Show these dates",
        "of": "of",
        "pickup": "Pickup within the citizen's slot",
        "pdf": "PDF to print",
        "report": "Report",
    },
}


def test_a_clerk_sees_the_period_they_chose_as_the_api_counts_it(
    page: Page, variant: Variant, office: Backoffice
) -> None:
    """A dossier picked up today; the clerk follows «Report» from the day's page and reports on
    the last seven days: the pickup leg shows
    'x of y' as GET /stats/sites/BD-TDM answers, its bar in the chart, one trend column a day,
    and the PDF opens as a PDF."""
    words = TEXT[variant.lang]
    code, _ = office.book()
    office.pick_up(code)
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    first = today - dt.timedelta(days=6)
    sign_in(page, variant, CLERK)
    page.locator("section.account").get_by_role("link", name=words["report"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    page.get_by_label(words["from"], exact=True).fill(first.isoformat())
    page.get_by_label(words["to"], exact=True).fill(today.isoformat())
    page.get_by_role("button", name=words["show"]).click()
    expect(page).to_have_url(re.compile(rf"from={first.isoformat()}&to={today.isoformat()}"))
    clerk = office.login(*CLERK)
    params = {"from": first.isoformat(), "to": today.isoformat()}
    api = office.api.get("/api/v1/stats/sites/BD-TDM", params=params, headers=clerk).json()
    assert api["pickup"]["total"] >= 1
    pickup = page.locator('tr[data-leg="pickup"]')
    expect(pickup).to_contain_text(
        f"{api['pickup']['on_time']} {words['of']} {api['pickup']['total']}"
    )
    expect(page.locator("#count-received")).to_have_text(str(api["received"]))
    chart = page.locator("svg#chart-legs")
    expect(chart).to_be_visible()
    expect(chart.locator("text.label").first).to_have_text(words["pickup"])
    expect(chart.locator("title")).to_contain_text(
        f"{api['pickup']['on_time']} {words['of']} {api['pickup']['total']}"
    )
    bar = chart.locator("rect.bar").first
    expect(bar).to_have_attribute("width", f"{api['pickup']['rate'] * 100:.2f}%")
    expect(page.locator("#table-trend tbody tr")).to_have_count(7)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    screenshot(page, "center-report", variant)
    pdf = page.get_by_role("link", name=words["pdf"])
    answer = page.request.get(pdf.get_attribute("href") or "")
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")


ADMIN = ("admin", "demo-admin-2026")
# each date input's own width (as wide as its date and picker need) against the one it is given
CLIPPED = """() => [...document.querySelectorAll('.report-forms input[type=date]')].map(input => {
  const own = input.cloneNode();
  own.style.width = 'auto';
  own.style.minWidth = '0';
  document.body.append(own);
  const needed = own.getBoundingClientRect().width;
  own.remove();
  return [input.id, Math.round(input.getBoundingClientRect().width), Math.round(needed)];
}).filter(([, given, needed]) => given < needed)"""


def test_the_admins_date_fields_show_their_whole_dates(page: Page, variant: Variant) -> None:
    """The admin's report has three forms side by side on a desktop; «From» and «To (included)»
    are each at least as wide as their date and picker need (no clipped year)."""
    sign_in(page, variant, ADMIN)
    page.goto("/center/report?from=2026-11-01&to=2026-11-30")
    expect(page.locator("#r-to")).to_have_value("2026-11-30")
    assert page.evaluate(CLIPPED) == []
