"""«Ngày …» in a real browser: the dispatcher of BD-TDM builds the next working day's plan, publishes
it and sees each courier's stops; another office's dispatcher never sees it; a courier is refused."""

import re
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from courier.demo import data
from tests.builders import booking_day
from tests.faults.serving import Served
from tests.web.backoffice import COURIER, Backoffice
from tests.web.conftest import DATABASE_URLS, Variant, assert_accessible, screenshot

TDM = ("dispatch.tdm", "demo-dispatch-2026")
DA = ("dispatch.da", "demo-dispatch-2026")
TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "username": "Tên đăng nhập",
        "password": "Mật khẩu",
        "sign_in": "Đăng nhập",
        "sign_out": "Đăng xuất",
        "day": "Ngày phục vụ",
        "show": "Xem",
        "build": "Lập kế hoạch",
        "building": "Kế hoạch {id} đang được lập.",
        "publish": "Công bố kế hoạch {id}",
        "published": "Đã công bố",
        "plan": "Kế hoạch {id}",
        "courier": f"Bưu tá {COURIER}",
        "print": f"In phiếu lộ trình của {COURIER}",
        "collect": "Nhận hồ sơ",
        "unrouted": "Hồ sơ chưa được xếp tuyến",
        "refused": "Trang này dành cho điều phối viên",
        "not_done": "Không thực hiện được",
        "late": "Trễ",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "day": "Service day",
        "show": "Show",
        "build": "Build the plan",
        "building": "Plan {id} is being built.",
        "publish": "Publish plan {id}",
        "published": "Published",
        "plan": "Plan {id}",
        "courier": f"Courier {COURIER}",
        "print": f"Print the route sheet of {COURIER}",
        "collect": "Collect dossier",
        "unrouted": "Dossiers not yet routed",
        "refused": "This page is for dispatchers",
        "not_done": "That could not be done",
        "late": "Late",
    },
}
BUILD_WAIT_S = 240


def sign_in(page: Page, variant: Variant, account: tuple[str, str]) -> None:
    """Open /dispatch/ and sign in with the labelled fields."""
    words = TEXT[variant.lang]
    page.goto("/dispatch/")
    page.get_by_label(words["username"]).fill(account[0])
    page.get_by_label(words["password"]).fill(account[1])
    page.get_by_role("button", name=words["sign_in"], exact=True).click()


def open_day(page: Page, variant: Variant) -> None:
    """Choose the next working day with the date picker."""
    words = TEXT[variant.lang]
    page.get_by_label(words["day"]).fill(booking_day().isoformat())
    page.get_by_role("button", name=words["show"], exact=True).click()


def _make_late(backend: str, plan_id: int) -> None:
    """One stop of the plan was due an hour ago (its day is tomorrow: no stop could be late)."""
    due = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    engine = create_engine(DATABASE_URLS[backend])
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE route_stop SET arrival_at = :due"
                " WHERE id = (SELECT MIN(id) FROM route_stop WHERE plan_id = :plan)"
            ),
            {"due": due, "plan": plan_id},
        )
    engine.dispose()


def wait_until_built(page: Page, url: str, publish: str) -> None:
    """Reload the plan's page until it offers to publish (the served app's worker builds it)."""
    deadline = time.monotonic() + BUILD_WAIT_S
    while not page.get_by_role("button", name=publish).count():
        assert time.monotonic() < deadline, page.locator("main").inner_text()
        page.wait_for_timeout(2000)
        page.goto(url)


def test_a_dispatcher_builds_publishes_and_sees_the_couriers_stops(
    page: Page, variant: Variant, office: Backoffice, site: Served
) -> None:
    """Three bookings for the next working day; the plan built from the page routes them on the
    office's courier once published, with the print link of the courier's sheet; publishing it
    twice says why not."""
    words = TEXT[variant.lang]
    codes = [office.book()[0] for _ in range(3)]
    sign_in(page, variant, TDM)
    open_day(page, variant)
    page.get_by_role("button", name=words["build"], exact=True).click()
    status = page.get_by_role("status").filter(has_text=words["building"].split("{")[0])
    expect(status).to_be_visible()
    found = re.search(r"\d+", status.inner_text())
    assert found is not None
    plan_id = found.group()
    refresh = page.locator("#dispatch-day").get_attribute("data-refresh")
    assert refresh is not None
    assert f"plan={plan_id}" in refresh
    wait_until_built(page, refresh, words["publish"].format(id=plan_id))
    page.get_by_role("button", name=words["publish"].format(id=plan_id)).click()
    shown = page.get_by_role("heading", name=words["plan"].format(id=plan_id), exact=False)
    expect(shown.first).to_contain_text(words["published"])
    route = page.locator("section.route").filter(
        has=page.get_by_role("heading", name=words["courier"])
    )
    for code in codes:
        expect(page.locator("main")).to_contain_text(code)
    expect(route.get_by_role("cell", name=words["collect"]).first).to_be_visible()
    expect(page.get_by_role("heading", name=words["unrouted"])).to_be_visible()
    sheet = route.get_by_role("link", name=words["print"])
    answer = page.request.get(sheet.get_attribute("href") or "")
    assert answer.ok
    assert answer.headers["content-type"] == "application/pdf"
    again = page.request.post(
        f"/dispatch/plans/{plan_id}/publish",
        form={"date": booking_day().isoformat()},
        headers={"Origin": site.base},
    )
    assert again.status == 409
    assert words["not_done"] in again.text()
    _make_late(variant.backend, int(plan_id))
    page.reload()
    late = page.locator("table.stops tr.overdue")
    expect(late).to_have_count(1)
    expect(late.get_by_text(words["late"], exact=True)).to_be_visible()
    if variant.viewport == "phone":  # each table's rows are cards: nothing scrolls sideways
        wide = page.locator("main, main .table-scroll, main table").evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
            ".map(e => e.tagName + '.' + e.className)"
        )
        assert wide == []
    assert_accessible(page)
    screenshot(page, "dispatch-day", variant)


def test_another_office_never_sees_the_plan_and_a_courier_is_refused(
    page: Page, variant: Variant, office: Backoffice, allowed_console: list[str]
) -> None:
    """TDM's plan of the day is neither listed nor shown nor printable for Di An's dispatcher;
    a courier's account gets a page that says the screen is not theirs (a 403 the browser logs)."""
    allowed_console.append("status of 403")
    words = TEXT[variant.lang]
    office.book()
    asked = office.api.post(
        "/api/v1/plans", data={"service_on": booking_day().isoformat()}, headers=office.dispatcher
    )
    assert asked.ok, asked.text()
    plan_id = asked.json()["id"]
    sign_in(page, variant, DA)
    open_day(page, variant)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    main = page.locator("main")
    expect(main).not_to_contain_text(words["plan"].format(id=plan_id))
    page.goto(f"/dispatch/?date={booking_day().isoformat()}&plan={plan_id}")
    expect(main).not_to_contain_text(words["plan"].format(id=plan_id))
    couriers = office.api.get("/api/v1/couriers", headers=office.dispatcher).json()
    courier_id = next(c["id"] for c in couriers if c["code"] == COURIER)
    sheet = page.request.get(f"/dispatch/plans/{plan_id}/sheets/{courier_id}.pdf")
    assert sheet.status in (403, 404)
    assert_accessible(page)
    screenshot(page, "dispatch-other-office", variant)
    page.get_by_role("button", name=words["sign_out"]).click()
    sign_in(page, variant, (COURIER.lower(), data.COURIER_PASSWORD))
    expect(main).to_contain_text(words["refused"])
