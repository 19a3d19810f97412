"""The confirmation after booking, in a real browser: code, QR code, appointment, slip, print."""

import json
import shutil
import subprocess

from playwright.sync_api import BrowserContext, Page, expect
from starlette.responses import Response

from api import grants
from courier.settings import Settings
from tests.builders import booking_body, booking_day
from tests.faults.serving import SECRET, Served, call
from tests.web.backoffice import fresh_phone
from tests.web.conftest import SCREENSHOTS, Variant, assert_accessible, screenshot

TEXTS = {
    "vi": {"title": "Đặt lịch thành công", "print": "In phiếu hẹn", "total": "50.000 đ"},
    "en": {"title": "Booking confirmed", "print": "Print the slip", "total": "50,000 đ"},
}


def booked(site: Served) -> tuple[str, str]:
    """A booking through the API on a phone of its own (a phone books only a few a day)."""
    phone = fresh_phone()
    status, _, body = call(site.base, "POST", "/api/v1/bookings", booking_body(phone=phone))
    assert status == 201, (status, body)
    return json.loads(body)["tracking_code"], phone[-4:]


def hold_grant(context: BrowserContext, site: Served, code: str, suffix: str) -> None:
    """The cookie the booking page gives its browser, signed with the served app's secret."""
    answer = Response()
    grants.grant(answer, Settings(environment="test", secret_key=SECRET), code, suffix)
    name, value = answer.headers["set-cookie"].split(";")[0].split("=", 1)
    context.add_cookies(
        [{"name": name, "value": value, "url": site.base, "httpOnly": True, "sameSite": "Strict"}]
    )


def keep_slip(pdf: bytes, variant: Variant) -> None:
    """The slip beside the screenshots, and as PNG when poppler's pdftoppm is installed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"slip-{variant.id}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        command = [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-singlefile",
            str(path),
            str(path.with_suffix("")),
        ]
        subprocess.run(command, check=True, timeout=60)


def test_the_confirmation_shows_what_the_citizen_needs_and_prints(
    page: Page, context: BrowserContext, site: Served, variant: Variant
) -> None:
    """Code, readable QR code, day and window, three documents, fees; the slip opens as a PDF."""
    code, suffix = booked(site)
    hold_grant(context, site, code, suffix)
    page.goto(f"/track/{code}/booked")
    texts = TEXTS[variant.lang]
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["title"])
    expect(page.locator("#tracking-code")).to_have_text(code)
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 100")
    expect(page.locator(".facts").first).to_contain_text(booking_day().strftime("%d/%m/%Y"))
    expect(page.locator(".facts").first).to_contain_text("08:00–11:30")
    expect(page.locator(".documents li")).to_have_count(3)
    expect(page.locator(".fees dd.total")).to_have_text(texts["total"])
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    assert_accessible(page)
    screenshot(page, "booked", variant)

    slip_link = page.get_by_role("link", name=texts["print"])
    slip = page.request.get(slip_link.get_attribute("href") or "")
    assert slip.status == 200
    assert slip.headers["content-type"] == "application/pdf"
    assert slip.body().startswith(b"%PDF-")
    keep_slip(slip.body(), variant)

    page.emulate_media(media="print")
    expect(page.locator(".menu")).to_be_hidden()
    expect(slip_link).to_be_hidden()
    expect(page.locator("#tracking-code")).to_be_visible()
    expect(qr).to_be_visible()
    screenshot(page, "booked-print", variant)


def test_another_browser_looks_the_dossier_up_then_sees_the_confirmation(
    page: Page, site: Served, variant: Variant, allowed_console: list[str]
) -> None:
    """Without the grant: no details, a link to the tracking form; the phone digits open it.

    The refusal answers 403, which Chromium logs to the console: the one error allowed here.
    """
    allowed_console.append("status of 403 (Forbidden)")
    code, suffix = booked(site)
    page.goto(f"/track/{code}/booked")
    expect(page.locator("#tracking-code")).to_have_count(0)
    expect(page.locator("img.qr")).to_have_count(0)
    link = page.locator(f'main a[href="/track/{code}"]')
    expect(link).to_be_visible()
    assert_accessible(page)
    screenshot(page, "booked-refused", variant)
    link.click()
    expect(page.locator("#code")).to_have_value(code)
    page.locator("#phone").fill(suffix)
    page.locator("form.track-form button[type=submit]").click()
    page.wait_for_url(f"**/track/{code}")
    page.goto(f"/track/{code}/booked")
    expect(page.locator("#tracking-code")).to_have_text(code)
