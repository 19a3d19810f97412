"""«Hôm nay tại …» in a real browser: a clerk of BD-TDM signs in and sees what comes to the counter
and what is late, never another center's dossier; a courier's account is refused."""

import datetime as dt

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from courier.demo import data
from tests.builders import booking_body
from tests.faults.serving import Served
from tests.web.backoffice import COURIER, Backoffice, fresh_phone
from tests.web.conftest import DATABASE_URLS, Variant, assert_accessible, screenshot

CLERK = ("center.tdm", "demo-center-2026")
TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "username": "Tên đăng nhập",
        "password": "Mật khẩu",
        "sign_in": "Đăng nhập",
        "title": "Hôm nay tại Chi nhánh Thủ Dầu Một",
        "transit": "Đang chuyển đến trung tâm",
        "overdue": "Quá hạn",
        "late": "Trễ 3 ngày",
        "code": "Mã bắt đầu bằng",
        "show": "Xem",
        "refused": "Trang này dành cho cán bộ",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "title": "Today at Thu Dau Mot Branch",
        "transit": "In transit to the center",
        "overdue": "Overdue",
        "late": "3 days late",
        "code": "Code begins with",
        "show": "Show",
        "refused": "This page is for the staff",
    },
}


def sign_in(page: Page, variant: Variant, account: tuple[str, str]) -> None:
    """Open /center/ and sign in with the labelled fields."""
    words = TEXT[variant.lang]
    page.goto("/center/")
    page.get_by_label(words["username"]).fill(account[0])
    page.get_by_label(words["password"]).fill(account[1])
    page.get_by_role("button", name=words["sign_in"], exact=True).click()


def _make_overdue(backend: str, code: str, days: int) -> None:
    """The dossier's due date, `days` before today (a center would have set it at reception)."""
    due = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    engine = create_engine(DATABASE_URLS[backend])
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE dossier SET due_on = :due WHERE tracking_code = :code"),
            {"due": due - dt.timedelta(days=days), "code": code},
        )
    engine.dispose()


def _other_center(office: Backoffice) -> str:
    """A booking in Thuan An, received by the Thuan An branch."""
    body = booking_body(
        phone=fresh_phone(),
        lat=10.905,
        lon=106.700,
        address_text="5 Nguyễn Văn Tiết, phường Lái Thiêu, Thuận An, Bình Dương",
    )
    answer = office.api.post("/api/v1/bookings", data=body)
    assert answer.status == 201, answer.text()
    code: str = answer.json()["tracking_code"]
    return code


def test_a_clerk_sees_what_comes_and_what_is_late_at_their_center_only(
    page: Page, variant: Variant, office: Backoffice, site: Served
) -> None:
    """The dossier the courier carries is in transit with the courier's name; the late one is in
    red with its days; one picked up meanwhile appears within 30 s without a reload; Thuan An's
    dossier appears neither in the lists nor by its code."""
    words = TEXT[variant.lang]
    coming, _ = office.book()
    office.pick_up(coming)
    late, _ = office.book()
    _make_overdue(variant.backend, late, 3)
    elsewhere = _other_center(office)
    page.clock.install()
    sign_in(page, variant, CLERK)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    transit = page.locator("section#transit")
    expect(transit.get_by_role("heading", level=2)).to_contain_text(words["transit"])
    expect(transit.get_by_role("row").filter(has_text=coming)).to_contain_text("Nguyễn Văn Hùng")
    overdue = page.locator("section#overdue")
    row = overdue.get_by_role("row").filter(has_text=late)
    expect(row).to_contain_text(words["late"])
    expect(row).to_have_class("overdue")
    color = row.locator(".late").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(166, 27, 27)"
    expect(page.get_by_text(elsewhere)).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "center-today", variant)
    following, _ = office.book()
    office.pick_up(following)
    page.clock.run_for(31_000)
    expect(transit.get_by_role("row").filter(has_text=following)).to_be_visible()
    page.get_by_label(words["code"]).fill(elsewhere)
    page.get_by_role("button", name=words["show"]).click()
    expect(page.locator("#center-lists table")).to_have_count(0)
    expect(page.get_by_text(elsewhere)).to_have_count(0)


def test_a_courier_account_is_refused(
    page: Page, variant: Variant, allowed_console: list[str]
) -> None:
    """A courier signing in on the center page gets a clear refusal, and no list."""
    allowed_console.append("status of 403")
    sign_in(page, variant, (COURIER.lower(), data.COURIER_PASSWORD))
    expect(page.get_by_role("alert")).to_contain_text(TEXT[variant.lang]["refused"])
    expect(page.locator("#center-lists")).to_have_count(0)
