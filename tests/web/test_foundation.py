"""What every page shares: language switch, local libraries, headers, accessibility, weight."""

import gzip
import http.client

from playwright.sync_api import Page, expect

from tests.faults.serving import Served, call
from tests.web.conftest import Variant, assert_accessible, screenshot

HOME_TITLE = {
    "vi": "Nộp hồ sơ không cần ra khỏi nhà",
    "en": "Submit your dossier without leaving home",
}


def test_the_home_page_says_what_the_service_does_and_costs(page: Page, variant: Variant) -> None:
    """The home page, in the chosen language, with the fees and the ways in."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_TITLE[variant.lang])
    expect(page.locator(".facts")).to_contain_text(
        "25.000 đ" if variant.lang == "vi" else "25,000 đ"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    assert_accessible(page)
    screenshot(page, "home", variant)


def test_the_language_switch_is_remembered(page: Page, variant: Variant) -> None:
    """The switch changes the language, stays on the page, and the next page keeps it."""
    other = "en" if variant.lang == "vi" else "vi"
    page.goto("/")
    page.get_by_role("link", name="English" if other == "en" else "Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_TITLE[other])
    assert page.url.endswith("/")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", other)


def test_the_page_works_with_the_keyboard(page: Page, variant: Variant) -> None:
    """Tab reaches the skip link first; it leads into the content, whose first stop is booking."""
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("main a.button.primary")).to_be_focused()
    expect(page.locator("main a.button.primary")).to_have_attribute("href", "/book")


def test_the_api_documentation_loads_without_the_internet(
    page: Page, site: Served, allowed_console: list[str]
) -> None:
    """Swagger UI and ReDoc render the API from the app's own copies; nothing leaves the host.

    ReDoc's sidebar always asks for its maker's logo from their CDN: the page's CSP blocks it and
    ReDoc then hides the image. That one refusal is the only console error allowed here.
    """
    allowed_console.append("https://cdn.redoc.ly/redoc/logo-mini.svg")
    fetched: list[str] = []
    page.on("requestfinished", lambda r: fetched.append(r.url))
    # both render the whole OpenAPI document in the browser: seconds on a loaded machine
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    page.goto("/redoc")
    expect(page.get_by_text("/bookings").first).to_be_attached(timeout=30_000)
    outside = [url for url in fetched if not url.startswith((site.base, "blob:", "data:"))]
    assert not outside, outside


def test_every_page_answer_carries_the_security_headers(site: Served) -> None:
    """CSP without inline script, no framing, nosniff, referrer policy; API answers not stored."""
    for path in ("/", "/docs", "/redoc"):
        status, headers, _ = call(site.base, "GET", path)
        assert status == 200
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    status, headers, _ = call(site.base, "GET", "/api/v1/procedures")
    assert status == 200
    assert headers["cache-control"] == "no-store"


def test_the_home_page_weighs_little(site: Served) -> None:
    """The home page and what it loads stay far under 200 KB compressed."""
    total = 0
    for path in ("/", "/static/css/site.css", "/static/img/icon.svg"):
        host, port = site.base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        assert answer.status == 200
        total += len(body)
        if answer.getheader("content-encoding") == "gzip":
            assert gzip.decompress(body)
    assert total < 200_000
