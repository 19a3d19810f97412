"""The booking page in a real browser: find, place by ward (no GPS, no map), choose, agree, book."""

import gzip
import re

from playwright.sync_api import Browser, Page, Route, expect

from tests.faults.serving import Served, call
from tests.web.backoffice import fresh_phone
from tests.web.conftest import VIEWPORTS, Variant, assert_accessible, screenshot

BOOKED = re.compile(r"/track/([A-Z]{2}\d{9}VN)/booked$")
TEXT = {
    "vi": {
        "found": "Tìm thấy 1 thủ tục.",
        "site": "Chi nhánh Thủ Dầu Một",
        "documents": "Tờ khai đăng ký khai sinh",
        "located": "Gần đúng: khu vực trung tâm Phường Phú Cường.",
        "saturday": "Thứ Bảy",
        "phone_error": "«Số điện thoại»",
        "book": "Đặt lịch thu gom",
    },
    "en": {
        "found": "1 procedure found.",
        "site": "Thu Dau Mot Branch",
        "documents": "Birth registration form",
        "located": "Approximate: the centre of Phu Cuong Ward.",
        "saturday": "Saturday",
        "phone_error": "«Phone number»",
        "book": "Book the pickup",
    },
}


def _phone() -> str:
    """A fresh mobile number per booking (a number may book only a few times a day)."""
    return fresh_phone()


def _find_birth_registration(page: Page, variant: Variant) -> None:
    page.goto("/book")
    page.locator("#q").fill("khai sinh")
    expect(page.locator("#q-count")).to_have_text(TEXT[variant.lang]["found"])
    expect(page.locator("#procedure_code")).to_have_value("HT-01")
    expect(page.locator("#details")).to_contain_text(TEXT[variant.lang]["documents"])


def _fill_applicant_and_place(page: Page, phone: str, ward: str = "BD-TDM-PHU-CUONG") -> None:
    page.locator("#applicant_name").fill("Lê Thị Hồng")
    page.locator("#phone").fill(phone)
    page.locator("#address_text").fill("27 Yersin, khu phố 2")
    page.locator("#ward").select_option(ward)


def _finish(page: Page) -> None:
    page.locator("#when input[type=radio]").first.check()
    page.locator("input[name=result_return][value=post]").check()
    page.locator("#consent").check()


def test_the_whole_booking_without_gps_or_map(page: Page, variant: Variant) -> None:
    """Search without diacritics, see documents and site, place by ward, book, land on the slip."""
    _find_birth_registration(page, variant)
    assert_accessible(page)
    screenshot(page, "book-empty", variant)
    _fill_applicant_and_place(page, _phone())
    expect(page.locator("#located")).to_contain_text(TEXT[variant.lang]["located"])
    expect(page.locator("#details")).to_contain_text(TEXT[variant.lang]["site"])
    _finish(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    assert_accessible(page)
    screenshot(page, "book-filled", variant)
    page.get_by_role("button", name=TEXT[variant.lang]["book"]).click()
    expect(page).to_have_url(BOOKED)


def test_a_first_submit_with_errors_keeps_what_was_typed(
    page: Page, variant: Variant, allowed_console: list[str]
) -> None:
    """Errors beside the fields and in a focused summary, in the language; values kept; then
    corrected, the same form books."""
    allowed_console.append("status of 422")
    _find_birth_registration(page, variant)
    page.locator("#applicant_name").fill("Lê Thị Hồng")
    page.locator("#phone").fill("12345")
    page.get_by_role("button", name=TEXT[variant.lang]["book"]).click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#phone-error")).to_contain_text(TEXT[variant.lang]["phone_error"])
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#ward-error")).to_be_visible()
    expect(page.locator("#when-error")).to_be_visible()
    expect(page.locator("#applicant_name")).to_have_value("Lê Thị Hồng")
    expect(page.locator("#procedure_code")).to_have_value("HT-01")
    assert_accessible(page)
    screenshot(page, "book-errors", variant)
    page.locator("#error-summary a[href='#phone']").click()
    expect(page.locator("#phone")).to_be_focused()
    page.locator("#phone").fill(_phone())
    page.locator("#address_text").fill("27 Yersin, khu phố 2")
    page.locator("#ward").select_option("BD-TDM-PHU-CUONG")
    _finish(page)
    page.get_by_role("button", name=TEXT[variant.lang]["book"]).click()
    expect(page).to_have_url(BOOKED)


def test_a_double_submit_makes_one_booking(page: Page, variant: Variant) -> None:
    """Two sends of the same form (a double tap, a retry) answer the same tracking code, and
    the button is disabled while the first is under way."""
    _find_birth_registration(page, variant)
    _fill_applicant_and_place(page, _phone())
    expect(page.locator("#details")).to_contain_text(TEXT[variant.lang]["site"])
    _finish(page)
    locations = page.evaluate(
        """async () => {
            const body = new URLSearchParams(new FormData(document.getElementById('book')));
            const send = () => fetch('/book', {method: 'POST', body: new URLSearchParams(body)});
            const answers = await Promise.all([send(), send()]);
            return answers.map((answer) => answer.url);
        }"""
    )
    codes = {BOOKED.search(url).group(1) for url in locations}  # type: ignore[union-attr]
    assert len(codes) == 1, locations
    with page.expect_navigation():
        page.evaluate(
            "() => { const f = document.getElementById('book'); f.requestSubmit();"
            " f.requestSubmit(); }"
        )
    match = BOOKED.search(page.url)
    assert match is not None
    assert match.group(1) in codes


def test_saturday_mornings_only_where_the_site_opens_them(page: Page, variant: Variant) -> None:
    """Near Thủ Dầu Một (branch open Saturday mornings) a Saturday is offered; near Bến Cát not."""
    saturday = TEXT[variant.lang]["saturday"]
    _find_birth_registration(page, variant)
    page.locator("#ward").select_option("BD-TDM-PHU-CUONG")
    expect(page.locator("#when")).to_contain_text(saturday)
    expect(page.locator("#details")).to_contain_text(TEXT[variant.lang]["site"])
    page.locator("#ward").select_option("BD-BC-MY-PHUOC")
    expect(page.locator("#details")).to_contain_text(
        "Bến Cát" if variant.lang == "vi" else "Ben Cat"
    )
    expect(page.locator("#when")).not_to_contain_text(saturday)


def _tab_to(page: Page, selector: str, presses: int = 60) -> None:
    target = page.locator(selector)
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _type_to_the_ward(page: Page) -> None:
    """By keyboard alone: find the procedure, type who and where, and tab to the ward."""
    page.goto("/book")
    _tab_to(page, "#q")
    page.keyboard.type("khai sinh")
    expect(page.locator("#procedure_code")).to_have_value("HT-01")
    _tab_to(page, "#applicant_name")
    page.keyboard.type("Lê Thị Hồng")
    page.keyboard.press("Tab")
    page.keyboard.type(_phone())
    page.keyboard.press("Tab")
    page.keyboard.type("27 Yersin, khu phố 2")
    _tab_to(page, "#ward")


def _return_agree_and_book(page: Page) -> None:
    """By keyboard alone: the first way back of the result, the consent, Enter on the button."""
    _tab_to(page, "input[name=result_return] >> nth=0")
    page.keyboard.press("Space")
    _tab_to(page, "#consent")
    page.keyboard.press("Space")
    expect(page.locator("#consent")).to_be_checked()
    _tab_to(page, "#submit")
    page.keyboard.press("Enter")


def test_the_booking_works_with_the_keyboard_alone(page: Page, variant: Variant) -> None:
    """Every step is reachable and operable with Tab, typing, arrows and Space; Enter books."""
    _type_to_the_ward(page)
    page.keyboard.press("ArrowDown")
    expect(page.locator("#ward")).not_to_have_value("")
    expect(page.locator("#located_by")).to_have_value("ward")
    _tab_to(page, "#when input[type=radio] >> nth=0")
    page.keyboard.press("Space")
    _return_agree_and_book(page)
    expect(page).to_have_url(BOOKED)


def test_the_focus_stays_on_the_slot_when_the_slots_refresh(page: Page, variant: Variant) -> None:
    """A keyboard user who tabs into the slots before the slots of the chosen place arrive
    keeps the focus there: Space then chooses the slot, and the booking goes through (before,
    the refresh replaced the slots under the focus, Space chose nothing and the booking was
    refused)."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    _type_to_the_ward(page)
    page.route("**/book/parts", hold)
    with page.expect_request("**/book/parts"):
        page.keyboard.press("ArrowDown")
    _tab_to(page, "#when input[type=radio] >> nth=0")
    for _ in range(100):  # the held answer is handed to the route while the page is driven
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()
    page.unroute("**/book/parts")
    expect(page.locator("#when-hint")).to_have_count(0)  # the place's slots are in
    expect(page.locator("#when input[type=radio]:focus")).to_have_count(1)
    page.keyboard.press("Space")
    expect(page.locator("#when input[type=radio]:checked")).to_have_count(1)
    _return_agree_and_book(page)
    expect(page).to_have_url(BOOKED)


def test_the_phone_location_places_the_point_with_its_accuracy(
    page: Page, variant: Variant
) -> None:
    """With the location allowed, one tap sets the point, says how precise it is, finds the site."""
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 10.9052, "longitude": 106.7011, "accuracy": 23})
    _find_birth_registration(page, variant)
    page.locator("#use-gps").click()
    expect(page.locator("#located_by")).to_have_value("gps")
    expect(page.locator("#located")).to_contain_text("23 m")
    expect(page.locator("#details")).to_contain_text(
        "Chi nhánh Thuận An" if variant.lang == "vi" else "Thuan An Branch"
    )
    expect(page.locator("#lat")).to_have_value("10.905200")


def test_the_booking_works_without_javascript(
    browser: Browser, site: Served, variant: Variant
) -> None:
    """Script off: the search is a GET form, the details come by posting the form back with
    what was typed kept, and booking is a plain POST that lands on the confirmation."""
    context = browser.new_context(
        base_url=site.base, java_script_enabled=False, **VIEWPORTS[variant.viewport]
    )
    context.add_cookies([{"name": "lang", "value": variant.lang, "url": site.base}])
    page = context.new_page()
    text = TEXT[variant.lang]
    page.goto("/book")
    page.locator("#q").fill("khai sinh")
    page.get_by_role("button", name="Tìm" if variant.lang == "vi" else "Search", exact=True).click()
    expect(page.locator("#q-count")).to_have_text(text["found"])
    expect(page.locator("#procedure_code")).to_have_value("HT-01")
    _fill_applicant_and_place(page, _phone())
    page.locator("button[name=step]").last.click()
    expect(page.locator("#details")).to_contain_text(text["site"])
    expect(page.locator("#located")).to_contain_text(text["located"])
    expect(page.locator("#when")).to_contain_text(text["saturday"])
    expect(page.locator("#applicant_name")).to_have_value("Lê Thị Hồng")
    _finish(page)
    page.get_by_role("button", name=text["book"]).click()
    expect(page).to_have_url(BOOKED)
    context.close()


def test_the_booking_page_weighs_little(site: Served) -> None:
    """The page and everything it loads (no map configured) stay far under 200 KB compressed."""
    status, _, body = call(site.base, "GET", "/book", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    page = gzip.decompress(body).decode()
    total = len(body)
    for path in re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page):
        status, _, asset = call(site.base, "GET", path, headers={"Accept-Encoding": "gzip"})
        assert status == 200
        total += len(asset)
    assert total < 50_000
