"""The tracking page in a real browser: follow, wrong digits, reschedule, cancel, a failed visit,
a receipt, the keyboard alone; each in the four variants (database, viewport, language)."""

import re
import time

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.web.backoffice import Backoffice
from tests.web.conftest import DATABASE_URLS, Variant, assert_accessible, screenshot

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "track": "Tra cứu",
        "booked": "Đã đặt lịch thu gom",
        "not_found": "Không tìm thấy hồ sơ với mã hồ sơ và số điện thoại này",
        "moved": "Đã đổi lịch thu gom sang ngày và buổi mới",
        "cancelled": "Đã hủy lịch hẹn",
        "status_cancelled": "Đã hủy",
        "reschedule": "Đổi ngày thu gom",
        "move": "Đổi lịch thu gom",
        "cancel": "Hủy lịch thu gom",
        "confirm_cancel": "Có, hủy lịch thu gom",
        "keep": "Không, giữ lịch hẹn",
        "not_home": "khi bưu tá đến, không có ai ở địa chỉ",
        "new_date": "Ngày hẹn mới",
        "receipt": "Biên nhận hồ sơ bạn đã giao cho bưu tá",
        "collected": "Bưu tá đã nhận hồ sơ",
        "my_data": "Dữ liệu cá nhân của bạn",
        "send_link": "Gửi liên kết tải bản sao qua SMS",
        "sent": "Chúng tôi đã gửi liên kết đến số điện thoại …",
        "download_pdf": "Tải bản sao (PDF)",
        "erase": "Yêu cầu xóa dữ liệu",
        "confirm_erase": "Có, xóa dữ liệu cá nhân của tôi",
        "recorded": "Yêu cầu xóa dữ liệu của bạn",
        "not_before": "không sớm hơn ngày",
    },
    "en": {
        "track": "Track",
        "booked": "Pickup booked",
        "not_found": "No dossier matches this tracking code and these phone digits",
        "moved": "The pickup has moved to the new day and slot",
        "cancelled": "Your booking is cancelled",
        "status_cancelled": "Cancelled",
        "reschedule": "Change the pickup day",
        "move": "Move the pickup",
        "cancel": "Cancel the booking",
        "confirm_cancel": "Yes, cancel the booking",
        "keep": "No, keep it",
        "not_home": "nobody was at the address when the courier came",
        "new_date": "New date",
        "receipt": "Receipt for the dossier you handed to the courier",
        "collected": "Collected by the courier",
        "my_data": "Your personal data",
        "send_link": "Send me a download link by SMS",
        "sent": "We have sent the link to the phone number …",
        "download_pdf": "Download a copy (PDF)",
        "erase": "Ask for erasure",
        "confirm_erase": "Yes, erase my personal data",
        "recorded": "Your erasure request",
        "not_before": "not before",
    },
}


def track(page: Page, code: str, digits: str, variant: Variant) -> None:
    """Open the dossier's address (as the SMS link does), type the digits and send the form."""
    page.goto(f"/track/{code}")
    page.locator("#code").fill(code)
    page.locator("#phone").fill(digits)
    page.get_by_role("button", name=TEXT[variant.lang]["track"], exact=True).click()


def test_a_citizen_follows_a_booked_dossier_from_the_home_page(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """Home page code → the form with the code filled in → the digits → the dossier's page."""
    code, digits = office.book()
    page.goto("/")
    page.locator("#home-code").fill(code)
    page.locator("#home-code").press("Enter")
    expect(page.locator("#code")).to_have_value(code)
    page.locator("#phone").fill(digits)
    screenshot(page, "track-form", variant)
    assert_accessible(page)
    page.get_by_role("button", name=TEXT[variant.lang]["track"], exact=True).click()
    expect(page.locator("#status")).to_have_text(TEXT[variant.lang]["booked"])
    assert page.url.endswith(f"/track/{code}")
    assert digits not in page.url
    expect(page.locator(".timeline li")).to_have_count(1)
    expect(page.locator(".timeline time")).to_have_text(re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d"))
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    assert_accessible(page)
    screenshot(page, "track-dossier", variant)


def test_wrong_digits_say_nothing_matches(
    page: Page, office: Backoffice, variant: Variant, allowed_console: list[str]
) -> None:
    """Another phone's digits: the same message as an unknown code, the code kept.

    The answer is a 404 page, which Chromium reports on the console: that one is expected.
    """
    allowed_console.append("status of 404")
    code, digits = office.book()
    track(page, code, "0000" if digits != "0000" else "1111", variant)
    expect(page.get_by_role("alert")).to_contain_text(TEXT[variant.lang]["not_found"])
    expect(page.locator("#code")).to_have_value(code)
    assert_accessible(page)
    screenshot(page, "track-not-found", variant)


def test_the_citizen_moves_the_pickup_to_another_slot(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """Reschedule lists the open slots; the chosen one becomes the booking's."""
    code, digits = office.book()
    track(page, code, digits, variant)
    page.get_by_role("link", name=TEXT[variant.lang]["reschedule"]).click()
    options = page.locator("#when option")
    expect(options.first).to_be_attached()  # count() does not wait for the page to load
    assert options.count() >= 8
    chosen = options.nth(3).get_attribute("value") or ""
    page.locator("#when").select_option(chosen)
    assert_accessible(page)
    screenshot(page, "track-reschedule", variant)
    page.get_by_role("button", name=TEXT[variant.lang]["move"]).click()
    expect(page.get_by_role("status")).to_contain_text(TEXT[variant.lang]["moved"])
    day = chosen.split("|")[0]
    shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
    expect(page.locator(".facts")).to_contain_text(shown)


def test_the_citizen_cancels_another_booking_after_confirming(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """Cancel asks first; "No" keeps the booking, "Yes" cancels it and no action is left."""
    first, first_digits = office.book()
    code, digits = office.book()
    track(page, code, digits, variant)
    page.get_by_role("link", name=TEXT[variant.lang]["cancel"]).click()
    page.get_by_role("link", name=TEXT[variant.lang]["keep"]).click()
    expect(page.locator("#status")).to_have_text(TEXT[variant.lang]["booked"])
    page.get_by_role("link", name=TEXT[variant.lang]["cancel"]).click()
    assert_accessible(page)
    screenshot(page, "track-cancel", variant)
    page.get_by_role("button", name=TEXT[variant.lang]["confirm_cancel"]).click()
    expect(page.get_by_role("status")).to_contain_text(TEXT[variant.lang]["cancelled"])
    expect(page.locator("#status")).to_have_text(TEXT[variant.lang]["status_cancelled"])
    expect(page.get_by_role("link", name=TEXT[variant.lang]["cancel"])).to_have_count(0)
    track(page, first, first_digits, variant)
    expect(page.locator("#status")).to_have_text(TEXT[variant.lang]["booked"])


def test_a_failed_pickup_shows_its_reason_and_the_new_date(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """The courier found nobody: the page says so in words, with the next visit's day."""
    code, digits = office.book()
    office.fail_pickup(code, "not_home")
    track(page, code, digits, variant)
    attempt = page.locator("#attempt")
    expect(attempt).to_contain_text(TEXT[variant.lang]["not_home"])
    expect(attempt).to_contain_text(TEXT[variant.lang]["new_date"])
    expect(attempt).to_contain_text(re.compile(r"\d\d/\d\d/\d{4}"))
    expect(page.get_by_role("link", name=TEXT[variant.lang]["reschedule"])).to_be_visible()
    assert_accessible(page)
    screenshot(page, "track-failed-visit", variant)


def test_the_pickup_receipt_opens_as_a_pdf(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """Once picked up, the receipt the citizen signed is linked and opens as a PDF."""
    code, digits = office.book()
    office.pick_up(code)
    track(page, code, digits, variant)
    expect(page.locator("#status")).to_have_text(TEXT[variant.lang]["collected"])
    link = page.get_by_role("link", name=re.compile(TEXT[variant.lang]["receipt"]))
    deadline = time.monotonic() + 20
    while link.count() == 0 and time.monotonic() < deadline:  # drawn by a task after the commit
        time.sleep(0.5)
        page.reload()
    href = link.get_attribute("href") or ""
    assert re.fullmatch(rf"/track/{code}/receipts/\d+\.pdf", href)
    pdf = page.request.get(href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert_accessible(page)
    screenshot(page, "track-receipts", variant)


def _sms_link(backend: str, code: str) -> str:
    """The path of the last data-copy link sent by SMS for the dossier, read from the SMS table."""
    engine = create_engine(DATABASE_URLS[backend])
    with engine.connect() as connection:
        body = connection.execute(
            text(
                "SELECT n.body FROM notification n JOIN dossier d ON d.id = n.dossier_id "
                "WHERE d.tracking_code = :code AND n.tracking_event_id IS NULL "
                "ORDER BY n.id DESC"
            ),
            {"code": code},
        ).scalar_one()
    engine.dispose()
    return str(body)[str(body).index("/track/") :]


def test_the_citizen_downloads_their_data_and_asks_for_erasure(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """«Your personal data»: the button sends a link by SMS to the booked phone and says to which
    number; the link opens a page whose PDF downloads as a file; erasure asks first, then says
    in words that the dossier is still open and the earliest day it can go."""
    code, digits = office.book()
    track(page, code, digits, variant)
    section = page.get_by_role("region", name=TEXT[variant.lang]["my_data"])
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    screenshot(page, "track-my-data", variant)
    section.get_by_role("button", name=TEXT[variant.lang]["send_link"]).click()
    expect(page.get_by_role("status")).to_contain_text(TEXT[variant.lang]["sent"] + digits)
    assert_accessible(page)
    screenshot(page, "track-copy-sent", variant)
    page.goto(_sms_link(variant.backend, code))
    assert_accessible(page)
    screenshot(page, "track-copy", variant)
    with page.expect_download() as download:
        page.get_by_role("link", name=TEXT[variant.lang]["download_pdf"]).click()
    assert download.value.suggested_filename == f"du-lieu-ca-nhan-{code}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF")
    page.goto(f"/track/{code}")
    section.get_by_role("link", name=TEXT[variant.lang]["erase"]).click()
    assert_accessible(page)
    screenshot(page, "track-erasure-confirm", variant)
    page.get_by_role("button", name=TEXT[variant.lang]["confirm_erase"]).click()
    answer = page.get_by_role("status")
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[variant.lang]["recorded"])
    expect(answer).to_contain_text(TEXT[variant.lang]["not_before"])
    expect(answer).to_contain_text(re.compile(r"\d\d/\d\d/\d{4}"))
    assert digits not in page.url
    assert_accessible(page)
    screenshot(page, "track-erasure-answer", variant)


def test_the_tracking_page_works_with_the_keyboard_alone(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """Skip link, code, digits, Enter; then to the reschedule form and back, keys only."""
    code, digits = office.book()
    page.goto("/track")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Tab")
    expect(page.locator("#phone")).to_be_focused()
    page.keyboard.type(digits)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(TEXT[variant.lang]["booked"])
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=TEXT[variant.lang]["reschedule"])).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/track/{code}/reschedule")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#when")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=TEXT[variant.lang]["move"])).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(TEXT[variant.lang]["moved"])
