"""Real-browser tests: the system Chromium, driven by Playwright, on `courier serve`.

One served app per database (SQLite, PostgreSQL) and one browser are shared by the whole run;
each test gets a fresh browser context. Each page test runs in four variants that together
cover both databases, both viewports (a 360×740 phone, a 1280×800 desktop) and both languages,
each value against each other one (pairwise).
"""

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests import services
from tests.conftest import committed_database
from tests.faults.serving import Served, served
from tests.web.backoffice import Backoffice

CHROMIUM = os.environ.get("COURIER_TEST_CHROMIUM", "/usr/bin/chromium")
AXE = services.ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("COURIER_TEST_SCREENSHOTS", services.ROOT / "build" / "screens"))
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@dataclass(frozen=True)
class Variant:
    """Where and how a page test runs."""

    backend: str
    viewport: str
    lang: str

    @property
    def id(self) -> str:
        """e.g. sqlite-phone-vi."""
        return f"{self.backend}-{self.viewport}-{self.lang}"


VARIANTS = [
    Variant("sqlite", "phone", "vi"),
    Variant("sqlite", "desktop", "en"),
    Variant("postgresql", "phone", "en"),
    Variant("postgresql", "desktop", "vi"),
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver (its own browsers are never downloaded: the system one is used)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        message = f"no Chromium at {CHROMIUM} (Debian package chromium; `make test` installs it)"
        if services.on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the run."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
    )
    yield chromium
    chromium.close()


_SERVERS: dict[str, Served] = {}
# the database behind each served app, for tests that set up what no API can (e.g. today's windows)
DATABASE_URLS: dict[str, str] = {}


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    """Started on first use, one per database, stopped at the end of the run."""
    with _ServerPool(tmp_path_factory) as pool:
        yield pool.servers


class _ServerPool:
    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory
        self.servers = _LazyServers(self)
        self.exits: list[Any] = []

    def __enter__(self) -> "_ServerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        for close in reversed(self.exits):
            close.__exit__(None, None, None)

    def start(self, backend: str) -> Served:
        folder = self.factory.mktemp(f"web-{backend}")
        database = committed_database(backend, folder)
        url = database.__enter__()
        DATABASE_URLS[backend] = url
        self.exits.append(database)
        running = served(url, folder)
        server = running.__enter__()
        self.exits.append(running)
        return server


class _LazyServers(dict[str, Served]):
    def __init__(self, pool: _ServerPool) -> None:
        super().__init__()
        self.pool = pool

    def __missing__(self, backend: str) -> Served:
        self[backend] = self.pool.start(backend)
        return self[backend]


@pytest.fixture(params=VARIANTS, ids=lambda v: v.id)
def variant(request: pytest.FixtureRequest) -> Variant:
    """The database, viewport and language of this run of a page test."""
    value: Variant = request.param
    if value.backend == "postgresql":
        services.require(services.POSTGRES_URL, "PostgreSQL")
    return value


@pytest.fixture
def site(servers: dict[str, Served], variant: Variant) -> Served:
    """The served app on the variant's database."""
    return servers[variant.backend]


@pytest.fixture
def context(browser: Browser, site: Served, variant: Variant) -> Iterator[BrowserContext]:
    """A fresh browser profile in the variant's viewport, its language chosen with the switch."""
    ctx = browser.new_context(
        base_url=site.base,
        locale="vi-VN" if variant.lang == "vi" else "en-US",
        timezone_id="Asia/Ho_Chi_Minh",
        **VIEWPORTS[variant.viewport],
    )
    ctx.add_cookies([{"name": "lang", "value": variant.lang, "url": site.base}])
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def allowed_console() -> list[str]:
    """Texts of console errors a test expects (append to it); any other error fails the test."""
    return []


@pytest.fixture
def page(context: BrowserContext, allowed_console: list[str]) -> Iterator[Page]:
    """A tab that fails the test on any script error or CSP violation the page meets."""
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    yield tab
    unexpected = [p for p in problems if not any(allowed in p for allowed in allowed_console)]
    assert not unexpected, unexpected


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not hasattr(axe_violations, "source"):
        axe_violations.source = AXE.read_text()  # type: ignore[attr-defined]
    page.evaluate(axe_violations.source)  # type: ignore[attr-defined]
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation."""
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)


def screenshot(page: Page, name: str, variant: Variant) -> Path:
    """A full-page screenshot under build/screens, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{variant.id}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def office(playwright: Playwright, site: Served) -> Iterator[Backoffice]:
    """Staff logged in on the served app."""
    api = playwright.request.new_context(base_url=site.base)
    yield Backoffice(api)
    api.dispose()
