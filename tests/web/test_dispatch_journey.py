"""A dispatcher's day in a real browser: Thu Dau Mot's dispatcher builds the next working day's plan
from the page, reviews it on the map (a line per courier, a numbered marker per stop, no map
tiles), moves a dossier to another courier with a re-plan, publishes the new plan, and follows the
day: a pickup recorded through the API (moved to the plan's day) shows as done after the live
refresh, and the courier's last known position appears on the map.

The served app here is one of this module's own, with two seconds of solver per part.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import create_engine, text

from tests.builders import HO_CHI_MINH, booking_day
from tests.faults.serving import Served
from tests.web.backoffice import COURIER, Backoffice
from tests.web.conftest import Variant, assert_accessible, screenshot
from tests.web.quick_plans import QuickServers, book_the_day, build_from_page, expect_map_heading
from tests.web.test_dispatch_page import TEXT, wait_until_built

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "dossier": "Hồ sơ cần chuyển",
        "to": "Cho bưu tá",
        "move": "Chuyển",
        "lock": "Khóa {code} cho bưu tá {courier}",
        "locked": "Đã khóa cho bưu tá này",
        "moved": r"kế hoạch (\d+) đang được lập với thay đổi này",
        "done": "Đã xong: 1",
        "stop_done": "Đã xong",
    },
    "en": {
        "dossier": "Dossier to move",
        "to": "To courier",
        "move": "Move",
        "lock": "Lock {code} to courier {courier}",
        "locked": "Locked to this courier",
        "moved": r"plan (\d+) is being built with it",
        "done": "Done: 1",
        "stop_done": "Done",
    },
}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QuickServers]:
    """This module's served apps, one per database, started on first use."""
    pool = QuickServers(tmp_path_factory)
    with pool:
        yield pool


@pytest.fixture
def site(quick: QuickServers, variant: Variant) -> Served:
    """The quick served app on the variant's database (the shared fixture's, overridden)."""
    return quick.servers[variant.backend]


def _on_the_plan_day(url: str) -> None:
    """The latest handover happened at 09:30 of the plan's day (tomorrow), as on that day."""
    at = datetime.combine(booking_day(), time(9, 30), tzinfo=HO_CHI_MINH).astimezone(UTC)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE handover SET device_at = :at WHERE id = (SELECT MAX(id) FROM handover)"),
            {"at": at.replace(tzinfo=None)},
        )
    engine.dispose()


def _routes(page: Page) -> Locator:
    return page.locator("section.route")


def _assert_the_map_shows_every_stop(page: Page) -> int:
    """A line per courier's route, one numbered marker per stop (numbered as the tables), the post
    office marked; the number of stops."""
    routes = _routes(page)
    expect(page.locator("#plan-map")).to_be_visible()
    expect(page.locator("#plan-map path.route-line")).to_have_count(routes.count())
    numbers: list[str] = []
    for index in range(routes.count()):
        rows = routes.nth(index).locator("table.stops tbody tr")
        numbers += [str(n) for n in range(1, rows.count() + 1)]
    markers = page.locator("#plan-map .stop-marker")
    expect(markers).to_have_count(len(numbers))
    assert sorted(markers.all_inner_texts()) == sorted(numbers)
    expect(page.locator("#plan-map .site-marker.office")).to_have_count(1)
    return len(numbers)


WIDER = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .filter((e) => !e.parentElement.closest('.leaflet-container'))
    .filter((e) => getComputedStyle(e).position !== 'static' || !e.closest('.table-scroll'))
    .map((e) => `${e.tagName}.${e.className}#${e.id}`).slice(0, 8);
}"""


def _no_page_scroll(page: Page) -> None:
    """The page itself never scrolls sideways (wide tables scroll in their own box)."""
    wider = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wider <= 0, f"the page is {wider}px wider than the screen: {page.evaluate(WIDER)}"


def _move_one(page: Page, words: dict[str, str]) -> tuple[str, str]:
    """Keep BD-CR-TDM-01 busy (lock one of its pickups to it, or move one to it) and move a pickup
    to another courier, re-planning at once: the moved dossier's code and its new courier."""
    options = page.get_by_label(words["dossier"], exact=True).locator("option").all_inner_texts()
    on_first = [o.split("·")[0].strip() for o in options if o.endswith(COURIER)]
    chosen = next(o for o in options if len(on_first) < 2 or o.endswith(COURIER))
    code, current = (part.strip() for part in chosen.split("·"))
    target = "BD-CR-TDM-03" if current == COURIER else COURIER
    if len(on_first) > 1:
        kept = on_first[-1]
        name = words["lock"].format(code=kept, courier=COURIER)
        page.get_by_role("button", name=name).click()
        expect(page.get_by_role("status").filter(has_text=kept)).to_be_visible()
        row = page.locator("table.stops tbody tr").filter(has_text=kept).first
        expect(row).to_contain_text(words["locked"])
    page.get_by_label(words["dossier"], exact=True).select_option(label=chosen)
    page.get_by_label(words["to"], exact=True).select_option(label=target)
    page.get_by_role("button", name=words["move"], exact=True).click()
    return code, target


def _route_of(page: Page, courier: str) -> Locator:
    return _routes(page).filter(has=page.get_by_role("heading", name=courier))


def test_a_dispatcher_builds_reviews_on_the_map_moves_publishes_and_follows_the_day(
    page: Page, variant: Variant, office: Backoffice, quick: QuickServers
) -> None:
    """Build, map, move with a re-plan, publish, and a pickup done shows after the live refresh."""
    words, texts = WORDS[variant.lang], TEXT[variant.lang]
    codes = book_the_day(office)
    build_from_page(page, variant)
    expect_map_heading(page, variant)
    stops = _assert_the_map_shows_every_stop(page)
    assert stops >= 4
    for code in codes:
        expect(page.locator("main")).to_contain_text(code)
    _no_page_scroll(page)
    screenshot(page, "dispatch-map", variant)

    code, target = _move_one(page, words)
    moved = page.get_by_role("status").filter(has_text=code)
    expect(moved).to_be_visible()
    replanned = re.search(words["moved"], moved.inner_text())
    assert replanned is not None, moved.inner_text()
    new_id = replanned.group(1)
    url = f"/dispatch/?date={booking_day().isoformat()}&plan={new_id}"
    wait_until_built(page, url, texts["publish"].format(id=new_id))
    expect(_route_of(page, target).locator("table.stops")).to_contain_text(code)
    assert _assert_the_map_shows_every_stop(page) >= stops

    page.get_by_role("button", name=texts["publish"].format(id=new_id)).click()
    heading = page.get_by_role("heading", name=texts["plan"].format(id=new_id), exact=False)
    expect(heading.first).to_contain_text(texts["published"])
    page.clock.install()
    page.reload()
    first = _route_of(page, COURIER)
    done = first.locator("table.stops tbody tr").first.locator("td").nth(3).inner_text()
    office.pick_up(done)
    _on_the_plan_day(quick.urls[variant.backend])
    page.clock.run_for(31_000)
    expect(first.locator(".tally")).to_contain_text(words["done"])
    row = first.locator("table.stops tbody tr").filter(has_text=done).first
    expect(row).to_contain_text(words["stop_done"])
    expect(page.locator("#plan-map .seen-marker")).to_have_count(1)
    _assert_the_map_shows_every_stop(page)
    _no_page_scroll(page)
    assert_accessible(page)
    screenshot(page, "dispatch-journey", variant)
