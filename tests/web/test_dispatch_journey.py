"""A dispatcher's day in a real browser: Thu Dau Mot's dispatcher builds the next working day's plan
from the page, reviews it on the map (a line per courier, a numbered marker per stop, no map
tiles), moves a dossier to another courier with a re-plan, publishes the new plan, and follows the
day: a pickup recorded through the API shows as done after the live refresh.

The served app here is one of this module's own, with two seconds of solver per part.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.builders import booking_body, booking_day
from tests.conftest import committed_database
from tests.faults.serving import Served, served
from tests.web.backoffice import COURIER, Backoffice, fresh_phone
from tests.web.conftest import Variant, _ServerPool, assert_accessible, screenshot
from tests.web.test_dispatch_page import TDM, TEXT, open_day, sign_in, wait_until_built

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "map": "Bản đồ lộ trình",
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
        "map": "Map of the routes",
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
# around the Thu Dau Mot 1 depot (nearer it than Thu Dau Mot 2, 3 km east), morning and afternoon slots (demo-like spread of one office's day)
PLACES = [
    (10.9805, 106.6512, "morning"),
    (10.9890, 106.6560, "morning"),
    (10.9731, 106.6645, "morning"),
    (10.9668, 106.6531, "afternoon"),
    (10.9930, 106.6480, "afternoon"),
    (10.9843, 106.6425, "afternoon"),
]


class _QuickServers(_ServerPool):
    """Served apps whose plans build in seconds (two seconds of OR-Tools per part)."""

    def start(self, backend: str) -> Served:
        folder = self.factory.mktemp(f"journey-{backend}")
        database = committed_database(backend, folder)
        self.exits.append(database)
        running = served(database.__enter__(), folder, COURIER_PLAN_PART_SECONDS="2")
        self.exits.append(running)
        return running.__enter__()


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    """This module's served apps, one per database, started on first use."""
    with _QuickServers(tmp_path_factory) as pool:
        yield pool.servers


@pytest.fixture
def site(quick: dict[str, Served], variant: Variant) -> Served:
    """The quick served app on the variant's database (the shared fixture's, overridden)."""
    return quick[variant.backend]


def _book_the_day(office: Backoffice) -> list[str]:
    """Six bookings around the depot for the next working day; their tracking codes."""
    codes = []
    for lat, lon, slot in PLACES:
        body = booking_body(phone=fresh_phone(), lat=lat, lon=lon, slot=slot)
        answer = office.api.post("/api/v1/bookings", data=body)
        assert answer.status == 201, answer.text()
        codes.append(answer.json()["tracking_code"])
    return codes


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
    page: Page, variant: Variant, office: Backoffice
) -> None:
    """Build, map, move with a re-plan, publish, and a pickup done shows after the live refresh."""
    words, texts = WORDS[variant.lang], TEXT[variant.lang]
    codes = _book_the_day(office)
    sign_in(page, variant, TDM)
    open_day(page, variant)
    page.get_by_role("button", name=texts["build"], exact=True).click()
    status = page.get_by_role("status").filter(has_text=texts["building"].split("{")[0])
    found = re.search(r"\d+", status.inner_text())
    assert found is not None
    url = f"/dispatch/?date={booking_day().isoformat()}&plan={found.group()}"
    wait_until_built(page, url, texts["publish"].format(id=found.group()))
    expect(page.get_by_role("heading", name=words["map"])).to_be_visible()
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
    page.clock.run_for(31_000)
    expect(first.locator(".tally")).to_contain_text(words["done"])
    row = first.locator("table.stops tbody tr").filter(has_text=done).first
    expect(row).to_contain_text(words["stop_done"])
    _assert_the_map_shows_every_stop(page)
    _no_page_scroll(page)
    assert_accessible(page)
    screenshot(page, "dispatch-journey", variant)
