"""«Hồ sơ của tôi» in a real browser: sign in, the list, one dossier, another's 404, the keyboard;
an enterprise's CSV upload with a bad row, then a good file; each in the four variants."""

import csv
import io
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import APIRequestContext, Page, Playwright, expect

from courier.dossiers import csvbatch
from tests.builders import booking_body, booking_day
from tests.faults.serving import Served
from tests.web.backoffice import fresh_phone
from tests.web.conftest import Variant, assert_accessible, screenshot

CITIZEN = ("citizen.an", "demo-citizen-2026")
ENTERPRISE = ("enterprise.minhphat", "demo-enterprise-2026")
TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "username": "Tên đăng nhập",
        "password": "Mật khẩu",
        "sign_in": "Đăng nhập",
        "sign_out": "Đăng xuất",
        "wrong": "Tên đăng nhập hoặc mật khẩu không đúng",
        "booked": "Đã đặt lịch thu gom",
        "history": "Hành trình",
        "missing": "Không có hồ sơ nào của bạn mang mã",
        "upload": "Đặt nhiều lịch từ tệp CSV",
        "file": "Tệp CSV",
        "consent": "Tất cả người nộp hồ sơ trong tệp đã đồng ý",
        "send": "Kiểm tra và đặt lịch",
        "nothing": "Chưa đặt lịch nào: tệp có 2 lỗi",
        "phone_column": "«Số điện thoại»",
        "done": "Đã đặt 3 lịch thu gom",
        "download": "Tải danh sách mã hồ sơ (CSV)",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "wrong": "Wrong username or password",
        "booked": "Pickup booked",
        "history": "History",
        "missing": "None of your dossiers has the code",
        "upload": "Book many from a CSV file",
        "file": "CSV file",
        "consent": "Every applicant in the file has agreed",
        "send": "Check and book",
        "nothing": "Nothing was booked: the file has 2 problems",
        "phone_column": "«Phone»",
        "done": "3 pickups booked",
        "download": "Download the codes (CSV)",
    },
}


class Api:
    """Bookings made through the served API, as a citizen's account or anonymously."""

    def __init__(self, api: APIRequestContext) -> None:
        self.api = api

    def token(self, username: str, password: str) -> dict[str, str]:
        """Bearer headers for a demo account."""
        answer = self.api.post(
            "/api/v1/auth/token", form={"username": username, "password": password}
        )
        assert answer.ok, answer.text()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def book(self, name: str, headers: dict[str, str] | None = None) -> str:
        """A booking on a phone of its own (the per-phone daily cap); its tracking code."""
        phone = fresh_phone()
        body = booking_body(applicant_name=name, phone=phone)
        answer = self.api.post("/api/v1/bookings", data=body, headers=headers or {})
        assert answer.status == 201, answer.text()
        code: str = answer.json()["tracking_code"]
        return code


@pytest.fixture
def api(playwright: Playwright, site: Served) -> Iterator[Api]:
    """The served app's API."""
    context = playwright.request.new_context(base_url=site.base)
    yield Api(context)
    context.dispose()


def sign_in(page: Page, variant: Variant, account: tuple[str, str]) -> None:
    """Open /me and sign in with the labelled fields."""
    text = TEXT[variant.lang]
    page.goto("/me")
    page.get_by_label(text["username"]).fill(account[0])
    page.get_by_label(text["password"]).fill(account[1])
    page.get_by_role("button", name=text["sign_in"], exact=True).click()
    expect(page.get_by_role("button", name=text["sign_out"])).to_be_visible()


def _fits(page: Page) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_citizen_signs_in_lists_and_opens_own_dossier(
    page: Page, variant: Variant, api: Api, allowed_console: list[str]
) -> None:
    """Sign in, see the own booking listed with its status, open it; nobody else's is there.

    The wrong password first is answered 401, which the browser logs as a console error.
    """
    allowed_console.append("status of 401")
    text = TEXT[variant.lang]
    mine = api.book("Nguyễn Thị Hạnh", api.token(*CITIZEN))
    other = api.book("Võ Văn Khánh")
    page.goto("/me")
    page.get_by_label(text["username"]).fill(CITIZEN[0])
    page.get_by_label(text["password"]).fill("not-the-password")
    page.get_by_role("button", name=text["sign_in"], exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(text["wrong"])
    assert_accessible(page)
    screenshot(page, "me-sign-in-failed", variant)
    sign_in(page, variant, CITIZEN)
    link = page.get_by_role("link", name=mine)
    expect(link).to_be_visible()
    expect(page.locator("li", has=link)).to_contain_text(text["booked"])
    expect(page.get_by_role("link", name=other)).to_have_count(0)
    expect(page.get_by_role("link", name=text["upload"])).to_have_count(0)
    _fits(page)
    assert_accessible(page)
    screenshot(page, "me-list", variant)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(mine)
    expect(page.get_by_role("heading", name=text["history"])).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nguyễn Thị Hạnh")
    _fits(page)
    assert_accessible(page)
    screenshot(page, "me-dossier", variant)


def test_another_accounts_dossier_is_not_found(
    page: Page, variant: Variant, api: Api, allowed_console: list[str]
) -> None:
    """A signed-in citizen who types another dossier's address gets a 404 that shows nothing."""
    allowed_console.append("status of 404")
    other = api.book("Đặng Thị Loan")
    sign_in(page, variant, CITIZEN)
    answer = page.goto(f"/me/dossiers/{other}")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("alert")).to_contain_text(TEXT[variant.lang]["missing"])
    expect(page.locator("main")).not_to_contain_text("Đặng Thị Loan")


def test_signing_in_works_with_the_keyboard_alone(page: Page, variant: Variant) -> None:
    """Tab reaches the username, then the password; Enter signs in; Tab reaches the sign-out."""
    text = TEXT[variant.lang]
    page.goto("/me")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "username":
            break
    expect(page.get_by_label(text["username"])).to_be_focused()
    page.keyboard.type(CITIZEN[0])
    page.keyboard.press("Tab")
    expect(page.get_by_label(text["password"])).to_be_focused()
    page.keyboard.type(CITIZEN[1])
    page.keyboard.press("Enter")
    sign_out = page.get_by_role("button", name=text["sign_out"])
    for _ in range(12):
        page.keyboard.press("Tab")
        if sign_out.evaluate("b => b === document.activeElement"):
            break
    expect(sign_out).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label(text["username"])).to_be_visible()


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.vi for c in csvbatch.COLUMNS])
    for overrides in rows:
        cells = {**csvbatch.EXAMPLE, "preferred_on": f"{booking_day():%d/%m/%Y}", **overrides}
        writer.writerow([cells[c.key] for c in csvbatch.COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def _send(page: Page, variant: Variant, content: bytes) -> None:
    text = TEXT[variant.lang]
    page.get_by_label(text["file"]).set_input_files(
        {"name": "ho-so.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_label(text["consent"]).check()
    page.get_by_role("button", name=text["send"]).click()


def test_an_enterprise_uploads_a_file_with_a_bad_row_then_a_good_one(
    page: Page, variant: Variant, allowed_console: list[str]
) -> None:
    """A bad row books nothing and every error is listed by row; the corrected file is booked.

    The file with errors is answered 422, which the browser logs as a console error.
    """
    allowed_console.append("status of 422")
    text = TEXT[variant.lang]
    names = [f"Công nhân {secrets.token_hex(3)}" for _ in range(3)]
    sign_in(page, variant, ENTERPRISE)
    page.get_by_role("link", name=text["upload"]).click()
    with page.expect_download() as template:
        page.get_by_role("link", name="CSV").first.click()
    assert template.value.suggested_filename.endswith(".csv")
    bad = [{"applicant_name": names[0]}, {"applicant_name": names[1], "phone": "12345"}]
    bad.append({"applicant_name": names[2], "slot": "tối"})
    _send(page, variant, _csv(bad))
    problems = page.locator("#problems")
    expect(problems).to_be_focused()
    expect(problems.get_by_role("heading")).to_have_text(text["nothing"])
    expect(problems.locator("tbody tr").first).to_contain_text("3")
    expect(problems.locator("tbody tr").first).to_contain_text(text["phone_column"])
    _fits(page)
    assert_accessible(page)
    screenshot(page, "me-upload-errors", variant)
    _send(page, variant, _csv([{"applicant_name": name} for name in names]))
    expect(page.get_by_role("heading", level=1)).to_have_text(text["done"])
    rows = page.locator("table.codes tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text(names[2])
    assert_accessible(page)
    screenshot(page, "me-upload-done", variant)
    with page.expect_download() as download:
        page.get_by_role("button", name=text["download"]).click()
    exported = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(exported) == 4
    assert exported[3].startswith("4,")
    assert names[2] in exported[3]
