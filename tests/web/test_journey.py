"""The citizen's whole journey in one browser, as the issue's "done when" lists it: find the
procedure without diacritics, book with no map and no GPS, open the confirmation and print the
slip, follow the dossier, reschedule, read the pickup receipt, cancel another booking. The
enterprise's CSV upload is tests/web/test_account_pages.py; each runs in the four variants."""

import re
import time

from playwright.sync_api import Page, expect

from tests.web.backoffice import Backoffice
from tests.web.conftest import Variant, assert_accessible, screenshot
from tests.web.test_booking_page import (
    TEXT as BOOKING,
)
from tests.web.test_booking_page import (
    _fill_applicant_and_place,
    _find_birth_registration,
    _finish,
    _phone,
)
from tests.web.test_track_page import TEXT as TRACKING
from tests.web.test_track_page import track

CONFIRMED = {"vi": "Đặt lịch thành công", "en": "Booking confirmed"}


def test_a_citizen_books_follows_reschedules_and_reads_the_receipt(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """From the home page to the signed receipt, in the variant's language and viewport."""
    lang = variant.lang
    page.goto("/")
    page.locator("main a.button.primary").click()
    expect(page).to_have_url(re.compile(r"/book$"))
    _find_birth_registration(page, variant)
    phone = _phone()
    _fill_applicant_and_place(page, phone)
    _finish(page)
    page.get_by_role("button", name=BOOKING[lang]["book"]).click()

    expect(page.locator("#booked-title")).to_contain_text(CONFIRMED[lang])
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z]{2}\d{9}VN", code)
    assert phone[-4:] not in page.url
    slip = page.request.get(
        page.locator(f"a[href='/track/{code}/slip.pdf']").get_attribute("href") or ""
    )
    assert slip.status == 200
    assert slip.body().startswith(b"%PDF")
    assert slip.headers["cache-control"] == "no-store"
    screenshot(page, "journey-confirmation", variant)

    page.locator(f"main a[href='/track/{code}']").first.click()
    expect(page.locator("#status")).to_have_text(TRACKING[lang]["booked"])
    page.get_by_role("link", name=TRACKING[lang]["reschedule"]).click()
    page.locator("#when").select_option(index=2)
    page.get_by_role("button", name=TRACKING[lang]["move"]).click()
    expect(page.get_by_role("status")).to_contain_text(TRACKING[lang]["moved"])

    office.pick_up(code)
    page.goto(f"/track/{code}")  # the grant cookie still opens it
    expect(page.locator("#status")).to_have_text(TRACKING[lang]["collected"])
    link = page.get_by_role("link", name=re.compile(TRACKING[lang]["receipt"]))
    deadline = time.monotonic() + 20
    while link.count() == 0 and time.monotonic() < deadline:  # drawn by a task after the commit
        time.sleep(0.5)
        page.reload()
    receipt = page.request.get(link.get_attribute("href") or "")
    assert receipt.status == 200
    assert receipt.body().startswith(b"%PDF")
    assert_accessible(page)
    screenshot(page, "journey-receipt", variant)


def test_a_citizen_cancels_another_booking(
    page: Page, office: Backoffice, variant: Variant
) -> None:
    """A second booking, looked up with its code and digits, cancelled after confirming."""
    lang = variant.lang
    code, digits = office.book()
    track(page, code, digits, variant)
    page.get_by_role("link", name=TRACKING[lang]["cancel"]).click()
    page.get_by_role("button", name=TRACKING[lang]["confirm_cancel"]).click()
    expect(page.locator("#status")).to_have_text(TRACKING[lang]["status_cancelled"])
