"""Served apps whose plans build in seconds, and a day of bookings for Thu Dau Mot's dispatcher to
plan from /dispatch/ (the dispatcher screen's browser tests)."""

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.builders import booking_body, booking_day
from tests.conftest import committed_database
from tests.faults.serving import Served, served
from tests.web.backoffice import Backoffice, fresh_phone
from tests.web.conftest import Variant, _ServerPool
from tests.web.test_dispatch_page import TDM, TEXT, open_day, sign_in, wait_until_built

# around the Thu Dau Mot 1 depot (nearer it than Thu Dau Mot 2, 3 km east), morning and
# afternoon slots: a demo-like spread of one office's day
PLACES = [
    (10.9805, 106.6512, "morning"),
    (10.9890, 106.6560, "morning"),
    (10.9731, 106.6645, "morning"),
    (10.9668, 106.6531, "afternoon"),
    (10.9930, 106.6480, "afternoon"),
    (10.9843, 106.6425, "afternoon"),
]
MAP_WORDS = {"vi": "Bản đồ lộ trình", "en": "Map of the routes"}


class QuickServers(_ServerPool):
    """Served apps (one per database, on first use) whose plans build in seconds (two seconds of
    OR-Tools per part), with more settings as environment variables; the database URL of each."""

    def __init__(self, factory: Any, **env: str) -> None:
        super().__init__(factory)
        self.env: dict[str, Any] = {"COURIER_PLAN_PART_SECONDS": "2", **env}
        self.urls: dict[str, str] = {}

    def start(self, backend: str) -> Served:
        """A served app on a database of its own."""
        folder = self.factory.mktemp(f"quick-{backend}")
        database = committed_database(backend, folder)
        self.exits.append(database)
        self.urls[backend] = database.__enter__()
        running = served(self.urls[backend], folder, **self.env)
        self.exits.append(running)
        return running.__enter__()


def book_the_day(office: Backoffice) -> list[str]:
    """Six bookings around the depot for the next working day; their tracking codes."""
    codes = []
    for lat, lon, slot in PLACES:
        body = booking_body(phone=fresh_phone(), lat=lat, lon=lon, slot=slot)
        answer = office.api.post("/api/v1/bookings", data=body)
        assert answer.status == 201, answer.text()
        codes.append(answer.json()["tracking_code"])
    return codes


def build_from_page(page: Page, variant: Variant) -> str:
    """Thu Dau Mot's dispatcher signs in, builds the next working day's plan and waits until it
    is built (the page then shows it, its map included); the plan's id."""
    texts = TEXT[variant.lang]
    sign_in(page, variant, TDM)
    open_day(page, variant)
    page.get_by_role("button", name=texts["build"], exact=True).click()
    status = page.get_by_role("status").filter(has_text=texts["building"].split("{")[0])
    found = re.search(r"\d+", status.inner_text())
    assert found is not None, status.inner_text()
    plan_id = found.group()
    url = f"/dispatch/?date={booking_day().isoformat()}&plan={plan_id}"
    wait_until_built(page, url, texts["publish"].format(id=plan_id))
    return plan_id


def expect_map_heading(page: Page, variant: Variant) -> None:
    """The map's section is shown (its script ran)."""
    expect(page.get_by_role("heading", name=MAP_WORDS[variant.lang])).to_be_visible()
