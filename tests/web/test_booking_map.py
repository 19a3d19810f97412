"""The booking page's map, when the deployment has a tile server: Leaflet, a pin, the point."""

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.conftest import committed_database
from tests.faults.serving import Served, served
from tests.web.conftest import VIEWPORTS, Variant, assert_accessible, screenshot


def _tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 235, 214)).save(out, "PNG")
    return out.getvalue()


class _Tiles(BaseHTTPRequestHandler):
    """Any path answers the same green tile and is counted."""

    tile = _tile()
    asked: list[str] = []

    def do_GET(self) -> None:
        """One tile."""
        _Tiles.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.tile)))
        self.end_headers()
        self.wfile.write(self.tile)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def tiles() -> Iterator[str]:
    """A local tile server, as a province would run on its closed network."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def mapped(tiles: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app with COURIER_MAP_TILES_URL set, on SQLite."""
    folder: Path = tmp_path_factory.mktemp("web-map")
    with (
        committed_database("sqlite", folder) as url,
        served(
            url,
            folder,
            COURIER_MAP_TILES_URL=f"{tiles}/{{z}}/{{x}}/{{y}}.png",
            COURIER_MAP_TILES_ATTRIBUTION="Bản đồ thử nghiệm",
        ) as running,
    ):
        yield running


@pytest.fixture
def map_page(browser: Browser, mapped: Served) -> Iterator[Page]:
    """A phone tab on the mapped app that fails on any console error (a CSP refusal included)."""
    context = browser.new_context(base_url=mapped.base, locale="vi-VN", **VIEWPORTS["phone"])
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    yield tab
    context.close()
    assert not problems, problems


def test_a_tap_on_the_map_places_the_pin(map_page: Page) -> None:
    """Leaflet loads from the app, tiles from the tile server; a tap sets the point by the map."""
    map_page.goto("/book")
    map_page.locator("#q").fill("khai sinh")
    expect(map_page.locator("#map")).to_be_visible()
    expect(map_page.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    assert _Tiles.asked
    map_page.locator("#map").click()
    expect(map_page.locator("#located_by")).to_have_value("map")
    expect(map_page.locator("#located")).to_contain_text("Theo ghim trên bản đồ.")
    expect(map_page.locator("#details")).to_contain_text("Chi nhánh")
    lat = float(map_page.locator("#lat").input_value())
    assert 10.85 <= lat <= 11.50
    assert_accessible(map_page)
    screenshot(map_page, "book-map", Variant("sqlite", "phone", "vi"))


def test_without_tiles_leaflet_is_not_loaded(page: Page) -> None:
    """The default closed network: no map element and no Leaflet script or style on the page."""
    page.goto("/book")
    assert page.locator("#map").count() == 0
    assert "leaflet" not in page.content()
