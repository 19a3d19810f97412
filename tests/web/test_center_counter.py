"""«Nhận hồ sơ tại quầy» in a real browser: a clerk of BD-TDM sees the ten dossiers a courier
brings and the overdue one in red, receives the ten at the counter (typed as a scanner types them,
each checked against its seal and checklist, both sides signing with the mouse, the button tapped
twice) as one handover, then marks one result ready at the counter and postpones another."""

import datetime as dt

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import create_engine, text

from courier import calendar
from tests.faults.serving import Served
from tests.web.backoffice import Backoffice
from tests.web.conftest import (
    DATABASE_URLS,
    SCREENSHOTS,
    Variant,
    assert_accessible,
    screenshot,
)
from tests.web.test_center_page import CLERK, _make_overdue, sign_in

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "receive": "Nhận hồ sơ tại quầy",
        "code": "Mã tra cứu",
        "match": "Niêm phong và giấy tờ khớp",
        "refuse": "Từ chối",
        "refused": "Từ chối: bưu tá giữ lại",
        "submit": "Nhận các hồ sơ này",
        "received": "Hồ sơ đã nhận",
        "ten": "Đã nhận 10 hồ sơ từ",
        "back": "Về trang hôm nay",
        "ready": "Đã có kết quả",
        "counter": "tại quầy",
        "postpone": "Dời ngày trả kết quả",
        "new_date": "Ngày hẹn trả kết quả mới",
        "reason": "Lý do",
        "not_coming": "đang chuyển đến trung tâm này",
    },
    "en": {
        "receive": "Receive at the counter",
        "code": "Tracking code",
        "match": "Seal and documents match",
        "refuse": "Refuse",
        "refused": "Refused: stays with the courier",
        "submit": "Receive these dossiers",
        "received": "Dossiers received",
        "ten": "10 dossiers received from",
        "back": "Back to the day",
        "ready": "Result ready",
        "counter": "at the counter",
        "postpone": "Postpone the result",
        "new_date": "New result date",
        "reason": "Reason",
        "not_coming": "on its way to this center",
    },
}


def _sign(pad: Locator, page: Page) -> None:
    """A stroke across the pad with the mouse, as a finger would draw it."""
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.15, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 9):
        page.mouse.move(x + w * (0.15 + i * 0.08), y + h * (0.6 - 0.3 * (i % 2)), steps=3)
    page.mouse.up()


def _scan(page: Page, words: dict[str, str], code: str) -> None:
    """Type the code and Enter, as a keyboard-wedge scanner does."""
    field = page.get_by_label(words["code"], exact=True)
    field.fill(code)
    field.press("Enter")


def _state(backend: str, codes: list[str]) -> tuple[list[tuple[int, int]], dict[str, str]]:
    """The courier → center handovers of these dossiers (id, items), and each one's status."""
    engine = create_engine(DATABASE_URLS[backend])
    with engine.connect() as connection:
        params = {f"c{i}": c for i, c in enumerate(codes)}
        where = ", ".join(f":c{i}" for i in range(len(codes)))
        handovers = connection.execute(
            text(
                "SELECT h.id, count(*) FROM handover h JOIN handover_item i ON i.handover_id = h.id"
                f" JOIN dossier d ON d.id = i.dossier_id WHERE d.tracking_code IN ({where})"
                " AND h.to_kind = 'center' GROUP BY h.id"
            ),
            params,
        ).all()
        statuses = connection.execute(
            text(f"SELECT tracking_code, status FROM dossier WHERE tracking_code IN ({where})"),
            params,
        ).all()
    engine.dispose()
    return [(r[0], r[1]) for r in handovers], {r[0]: r[1] for r in statuses}


def _receipt(page: Page, href: str | None) -> None:
    """The receipt is a PDF for the signed-in clerk once its task has drawn it (a few seconds)."""
    assert href is not None
    for _ in range(40):
        answer = page.request.get(href)
        if answer.ok:
            assert answer.headers["content-type"] == "application/pdf"
            assert answer.body().startswith(b"%PDF")
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"no receipt at {href}: {answer.status}")


def _act(page: Page, code: str) -> Locator:
    """The dossier's row on the day page with its actions opened."""
    row = page.locator("section#counter").get_by_role("row").filter(has_text=code)
    row.locator("summary").click()
    return row


def test_a_clerk_receives_ten_at_the_counter_then_readies_one_and_postpones_another(
    page: Page, variant: Variant, office: Backoffice, site: Served, allowed_console: list[str]
) -> None:
    """Ten in transit and one overdue (red) on the day; the ten received as ONE handover of ten
        items although the button is tapped twice; an unknown code is refused; an eleventh whose seal
    does not match is refused and stays with the courier;
        one result ready at the counter, one postponed; the database agrees."""
    words = WORDS[variant.lang]
    allowed_console.append("status of 404")  # the unknown code's check
    codes = []
    for _ in range(10):
        code, _ = office.book()
        office.pick_up(code)
        codes.append(code)
    torn, _ = office.book()  # its seal does not match: refused, it stays with the courier
    office.pick_up(torn)
    late, _ = office.book()
    _make_overdue(variant.backend, late, 2)
    sign_in(page, variant, CLERK)
    transit = page.locator("section#transit")
    for code in codes:
        expect(transit.get_by_role("row").filter(has_text=code)).to_be_visible()
    overdue_row = page.locator("section#overdue").get_by_role("row").filter(has_text=late)
    expect(overdue_row).to_have_class("overdue")
    color = overdue_row.locator(".late").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(166, 27, 27)"

    page.get_by_role("link", name=words["receive"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["receive"])
    expect(page.locator("#counter[data-ready]")).to_be_attached()
    _scan(page, words, "EE123456785VN")
    expect(page.locator("#scan-message")).to_contain_text(words["not_coming"])
    for code in codes:
        _scan(page, words, code)
        expect(page.locator(f'#batch li[data-code="{code}"]')).to_be_visible()
    _scan(page, words, torn)
    page.locator(f'#batch li[data-code="{torn}"]').get_by_role(
        "button", name=words["refuse"]
    ).click()
    expect(page.locator(f'#batch li[data-code="{torn}"]')).to_contain_text(words["refused"])
    expect(page.locator("#batch > li")).to_have_count(11)
    expect(page.locator("#batch-count")).to_contain_text("10")
    expect(page.locator("#seal")).to_have_value("NP-000777")
    for code in codes:
        page.locator(f'#batch li[data-code="{code}"]').get_by_label(words["match"]).check()
    _sign(page.locator("#clerk-pad"), page)
    _sign(page.locator("#courier-pad"), page)
    assert_accessible(page)
    screenshot(page, "center-counter", variant)
    page.get_by_role("button", name=words["submit"]).dblclick()

    expect(page.get_by_role("heading", level=1)).to_have_text(words["received"])
    expect(page.get_by_role("status")).to_contain_text(words["ten"])
    for code in codes:
        expect(page.locator("ol.received-codes")).to_contain_text(code)
    expect(page.locator(".received-codes.refused")).to_contain_text(torn)
    _receipt(page, page.get_by_role("link", name="PDF").get_attribute("href"))
    screenshot(page, "center-received", variant)
    handovers, statuses = _state(variant.backend, [*codes, torn])
    assert len(handovers) == 1
    assert handovers[0][1] == 10
    assert set(statuses.values()) == {"received_at_center", "picked_up"}
    assert statuses[torn] == "picked_up"

    page.get_by_role("link", name=words["back"]).click()
    ready, later = codes[0], codes[1]
    row = _act(page, ready)
    row.get_by_label(words["counter"]).check()
    row.get_by_role("button", name=words["ready"], exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(ready)
    due = dt.date.today() + dt.timedelta(days=30)
    new_due = calendar.next_working_day(due)
    row = _act(page, later)
    row.get_by_label(words["new_date"]).fill(new_due.isoformat())
    row.get_by_label(words["reason"]).select_option("site_inspection")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # a live refresh now
    page.wait_for_timeout(1500)
    expect(row.get_by_label(words["new_date"])).to_have_value(new_due.isoformat())
    assert_accessible(page)
    row.screenshot(path=str(SCREENSHOTS / f"center-actions-{variant.id}.png"))
    row.get_by_role("button", name=words["postpone"]).click()
    expect(page.get_by_role("status").first).to_contain_text(later)

    _, statuses = _state(variant.backend, [ready, later])
    assert statuses == {ready: "result_ready", later: "received_at_center"}
    engine = create_engine(DATABASE_URLS[variant.backend])
    with engine.connect() as connection:
        row_of = connection.execute(
            text("SELECT result_return, due_on FROM dossier WHERE tracking_code = :c"),
            {"c": ready},
        ).one()
        moved = connection.execute(
            text("SELECT due_on FROM dossier WHERE tracking_code = :c"), {"c": later}
        ).scalar_one()
    engine.dispose()
    assert row_of[0] == "center"
    assert str(moved)[:10] == new_due.isoformat()
