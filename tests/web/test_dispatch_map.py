"""The dispatcher's map with and without its tiles, and the screen without JavaScript.

The served app here has map tiles configured on a tile server of this module's own (on this
machine): while it answers, the tiles show under the routes within the pages' Content-Security-
Policy; once it fails, the map falls back to a plain background with every line and marker still
drawn. Without JavaScript there is no map at all, the tables hold every stop and the forms work.
"""

import http.server
import io
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.builders import booking_day
from tests.faults.serving import Served, free_port
from tests.web.backoffice import Backoffice
from tests.web.conftest import VIEWPORTS, Variant
from tests.web.quick_plans import QuickServers, book_the_day, expect_map_heading
from tests.web.test_dispatch_page import BUILD_WAIT_S, TDM, sign_in

ATTRIBUTION = "Tiles: province GIS office"


def _tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(out, "PNG")
    return out.getvalue()


class TileServer(http.server.ThreadingHTTPServer):
    """Answers every tile with a plain PNG, or 404 once told to fail."""

    failing = False
    served = 0


class _TileHandler(http.server.BaseHTTPRequestHandler):
    TILE = _tile()

    def do_GET(self) -> None:
        """A tile, or 404 while the server fails."""
        server = self.server
        assert isinstance(server, TileServer)
        if server.failing:
            self.send_error(404)
            return
        server.served += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.TILE)))
        self.end_headers()
        self.wfile.write(self.TILE)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def tiles() -> Iterator[TileServer]:
    """A tile server on this machine."""
    server = TileServer(("127.0.0.1", free_port()), _TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory, tiles: TileServer) -> Iterator[QuickServers]:
    """A served app with the tile server's URL and attribution as its map tiles."""
    port = tiles.server_address[1]
    url = f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"
    env = {"COURIER_MAP_TILES_URL": url, "COURIER_MAP_TILES_ATTRIBUTION": ATTRIBUTION}
    pool = QuickServers(tmp_path_factory, **env)
    with pool:
        yield pool


@pytest.fixture
def variant() -> Variant:
    """One variant is enough here: the journey covers phones, Vietnamese and PostgreSQL."""
    return Variant("sqlite", "desktop", "en")


@pytest.fixture
def site(quick: QuickServers, variant: Variant) -> Served:
    """The served app with tiles (the shared fixture's, overridden)."""
    return quick.servers[variant.backend]


@pytest.fixture(scope="module")
def plan_id(quick: QuickServers, playwright: Playwright) -> str:
    """Thu Dau Mot's plan of the next working day, built (through the API) from six bookings."""
    api = playwright.request.new_context(base_url=quick.servers["sqlite"].base)
    office = Backoffice(api)
    book_the_day(office)
    body = {"service_on": booking_day().isoformat()}
    asked = api.post("/api/v1/plans", data=body, headers=office.dispatcher)
    assert asked.ok, asked.text()
    built = str(asked.json()["id"])
    url = f"/api/v1/plans/{built}"
    deadline = time.monotonic() + BUILD_WAIT_S
    while api.get(url, headers=office.dispatcher).json()["status"] != "built":
        assert time.monotonic() < deadline, "the plan was not built in time"
        time.sleep(1)
    api.dispose()
    return built


def _open_plan(page: Page, plan_id: str) -> None:
    """Sign in as Thu Dau Mot's dispatcher and open the plan."""
    sign_in(page, Variant("sqlite", "desktop", "en"), TDM)
    page.goto(f"/dispatch/?date={booking_day().isoformat()}&plan={plan_id}")


def _stop_count(page: Page) -> int:
    return page.locator("section.route table.stops tbody tr").count()


def test_tiles_show_under_the_routes_and_a_failing_tile_server_leaves_a_plain_map(
    page: Page, variant: Variant, tiles: TileServer, plan_id: str, allowed_console: list[str]
) -> None:
    """Tiles load (the CSP allows their origin: no console error) with their attribution; when
    the tile server fails, the map turns plain and keeps every line and numbered stop."""
    allowed_console.append("404")
    _open_plan(page, plan_id)
    expect_map_heading(page, variant)
    expect(page.locator("#plan-map img.leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator("#plan-map .leaflet-control-attribution")).to_contain_text(ATTRIBUTION)
    expect(page.locator("#plan-map.no-tiles")).to_have_count(0)
    assert tiles.served > 0
    tiles.failing = True
    try:
        page.reload()
        expect(page.locator("#plan-map.no-tiles")).to_have_count(1)
    finally:
        tiles.failing = False
    assert _stop_count(page) > 0
    expect(page.locator("#plan-map .stop-marker")).to_have_count(_stop_count(page))
    expect(page.locator("#plan-map path.route-line")).to_have_count(
        page.locator("section.route").count()
    )


def test_without_javascript_the_tables_hold_every_stop_and_the_forms_work(
    browser: Browser, site: Served, variant: Variant, plan_id: str
) -> None:
    """No script: no map, every stop in the tables, and locking a stop through its form says so."""
    context = browser.new_context(
        base_url=site.base, java_script_enabled=False, **VIEWPORTS[variant.viewport]
    )
    context.add_cookies([{"name": "lang", "value": "en", "url": site.base}])
    page = context.new_page()
    _open_plan(page, plan_id)
    expect(page.get_by_role("heading", name="Map of the routes")).to_be_hidden()
    rows = page.locator("section.route table.stops tbody tr")
    assert rows.count() >= 4
    code = rows.first.locator("td").nth(3).inner_text()
    page.get_by_role("button", name=f"Lock {code} to courier").click()
    expect(page.get_by_role("status")).to_contain_text(f"Dossier {code} stays with courier")
    expect(rows.filter(has_text=code).first).to_contain_text("Locked to this courier")
    context.close()


def test_a_tapped_stop_says_what_it_is(page: Page, plan_id: str) -> None:
    """Tapping a route's first stop opens its courier, number, action and dossier code."""
    _open_plan(page, plan_id)
    first = page.locator("section.route").first
    courier = first.get_by_role("heading").inner_text().strip()
    code = first.locator("table.stops tbody tr").first.locator("td").nth(3).inner_text()
    marker = page.locator(f'#plan-map .stop-marker[title^="{courier}, 1. "]')
    expect(marker).to_have_count(1)
    marker.click(force=True)
    popup = page.locator("#plan-map .leaflet-popup-content")
    expect(popup).to_contain_text(f"{courier}, 1. ")
    expect(popup).to_contain_text(code)


_MARKERS = """els => els.map(e => {
  const r = e.getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
          site: e.classList.contains('site-marker'), z: Number(e.style.zIndex)};
})"""


def test_the_first_view_holds_every_marker_whole_with_the_sites_on_top(
    page: Page, plan_id: str
) -> None:
    """At first view every marker (the stops set on a ring around a center too) lies whole within
    the map's frame, and the post office and centers are drawn above every stop."""
    _open_plan(page, plan_id)
    expect(page.locator("#plan-map .stop-marker").first).to_be_visible()
    page.wait_for_timeout(500)  # the fit's zoom settles
    frame = page.locator("#plan-map").evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"
    )
    markers = page.locator("#plan-map .leaflet-marker-icon").evaluate_all(_MARKERS)
    assert markers
    outside = [
        m
        for m in markers
        if m["left"] < frame["left"]
        or m["top"] < frame["top"]
        or m["right"] > frame["right"]
        or m["bottom"] > frame["bottom"]
    ]
    assert outside == [], (frame, outside)
    sites = [m["z"] for m in markers if m["site"]]
    stops = [m["z"] for m in markers if not m["site"]]
    assert sites
    assert min(sites) > max(stops)
