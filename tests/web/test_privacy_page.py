"""The personal-data page the footer links: the consent text a booking agrees to."""

from playwright.sync_api import Page, expect

from tests.web.conftest import Variant, assert_accessible, screenshot

HEADING = {
    "vi": "Đồng ý xử lý dữ liệu cá nhân khi đặt lịch thu gom hồ sơ",
    "en": "Consent to personal-data processing when booking a dossier pickup",
}
WITHDRAW = {"vi": "Rút lại sự đồng ý:", "en": "Withdrawing consent:"}


def test_the_footer_leads_to_the_consent_text(page: Page, variant: Variant) -> None:
    """From the home page's footer to the text, its version, and how to withdraw consent."""
    page.goto("/")
    page.locator("footer a[href='/privacy']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING[variant.lang])
    expect(page.locator("main")).to_contain_text("2026-11-01")
    expect(page.locator("main strong", has_text=WITHDRAW[variant.lang])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    assert_accessible(page)
    screenshot(page, "privacy", variant)
