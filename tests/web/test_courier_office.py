"""The postal flow in the courier's app, in real Chromium on a phone: a dossier picked up too late
for its center is left at the courier's post office for the night (offline, the clerk signs), then
collected from the office on the next plan and handed in at the center; the citizen follows it."""

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import APIRequestContext, Browser, Page, Playwright, expect
from sqlalchemy import create_engine, text

from tests import services
from tests.builders import booking_body, booking_day
from tests.courier.planning.bookings import DEPOT
from tests.faults.serving import Served
from tests.web.backoffice import fresh_phone
from tests.web.conftest import SCREENSHOTS, VIEWPORTS, assert_accessible
from tests.web.courier_field import ZONE, App
from tests.web.quick_plans import QuickServers

POSITION = {"latitude": 10.9812, "longitude": 106.6551, "accuracy": 9}
WORDS = {
    "vi": {"leave": "Để lại bưu cục qua đêm", "take": "Nhận hồ sơ tại bưu cục"},
    "en": {"leave": "Leave at the post office overnight", "take": "Collect at the post office"},
}
ARRIVED = {"vi": "Đến bưu cục", "en": "Arrived at the post office"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QuickServers]:
    """This module's served app (SQLite), whose plans build in seconds and hold overnight."""
    pool = QuickServers(tmp_path_factory)
    with pool:
        yield pool


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A camera photo of the sealed packet."""
    path = tmp_path_factory.mktemp("office-photos") / "packet.jpg"
    Image.new("RGB", (1200, 900), (150, 110, 60)).save(path, "JPEG", quality=85)
    return path


class World:
    """The dispatcher's plans on the served app, and what its database holds."""

    def __init__(self, api: APIRequestContext, url: str) -> None:
        self.api = api
        self.url = url
        self.dispatcher = self.login("dispatch.tdm", "demo-dispatch-2026")

    def login(self, username: str, password: str) -> dict[str, str]:
        """Bearer headers for a demo account."""
        answer = self.api.post(
            "/api/v1/auth/token", form={"username": username, "password": password}
        )
        assert answer.ok, answer.text()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def rows(self, sql: str, **params: Any) -> list[Any]:
        """What the database holds."""
        engine = create_engine(self.url)
        with engine.connect() as conn:
            found = list(conn.execute(text(sql), params))
        engine.dispose()
        return found

    def too_late_for_the_center(self) -> tuple[str, str]:
        """A booking whose center stops taking it a minute after the citizen's slot opens (no
        route brings it there that day); its code and the phone's last digits."""
        phone = fresh_phone()
        answer = self.api.post("/api/v1/bookings", data=booking_body(phone=phone))
        assert answer.status == 201, answer.text()
        code: str = answer.json()["tracking_code"]
        opens = _utc(self.job(code, "inbound", "pickup").window_start)
        self.execute(
            "UPDATE job SET window_end = :end WHERE leg = 'inbound' AND kind = 'delivery'"
            " AND dossier_id = (SELECT id FROM dossier WHERE tracking_code = :code)",
            end=(opens + timedelta(minutes=1)).replace(tzinfo=None),
            code=code,
        )
        return code, phone[-4:]

    def job(self, code: str, leg: str, kind: str) -> Any:
        """The dossier's job of that leg and kind."""
        found = self.rows(
            "SELECT j.id, j.window_start, j.site_id, j.status FROM job j"
            " JOIN dossier d ON d.id = j.dossier_id"
            " WHERE d.tracking_code = :code AND j.leg = :leg AND j.kind = :kind",
            code=code,
            leg=leg,
            kind=kind,
        )
        assert len(found) == 1, found
        return found[0]

    def execute(self, sql: str, **params: Any) -> None:
        """Change what no API changes (a window, the day a plan serves)."""
        engine = create_engine(self.url)
        with engine.begin() as conn:
            conn.execute(text(sql), params)
        engine.dispose()

    def publish_for_today(self, day: date) -> int:
        """Thu Dau Mot's plan of `day`, built, published, then served as today's (the phone shows
        today's route); its id."""
        body = {"service_on": day.isoformat(), "depots": [DEPOT]}
        answer = self.api.post("/api/v1/plans", data=body, headers=self.dispatcher)
        assert answer.status == 202, answer.text()
        plan_id: int = answer.json()["id"]
        for _ in range(240):
            state = self.api.get(f"/api/v1/plans/{plan_id}", headers=self.dispatcher).json()
            if state["status"] in ("built", "failed"):
                break
            time.sleep(0.5)
        assert state["status"] == "built", state
        published = self.api.post(f"/api/v1/plans/{plan_id}/publish", headers=self.dispatcher)
        assert published.ok, published.text()
        today = datetime.now(ZONE).date()
        self.execute("UPDATE plan SET service_on = :today WHERE id = :id", today=today, id=plan_id)
        return plan_id

    def stop_of(self, plan_id: int, code: str, leg: str, kind: str) -> Any:
        """The plan's stop for the dossier's job: its courier's code and whether it is held."""
        found = self.rows(
            "SELECT c.code, s.at_post_office, j.id AS job_id FROM route_stop s"
            " JOIN job j ON j.id = s.job_id JOIN courier c ON c.id = s.courier_id"
            " JOIN dossier d ON d.id = j.dossier_id WHERE s.plan_id = :plan"
            " AND d.tracking_code = :code AND j.leg = :leg AND j.kind = :kind",
            plan=plan_id,
            code=code,
            leg=leg,
            kind=kind,
        )
        assert len(found) == 1, found
        return found[0]


def _phone(browser: Browser, site: Served, lang: str) -> Page:
    context = browser.new_context(
        base_url=site.base,
        locale="vi-VN" if lang == "vi" else "en-US",
        timezone_id="Asia/Ho_Chi_Minh",
        geolocation=POSITION,  # type: ignore[arg-type]
        permissions=["geolocation"],
        **VIEWPORTS["phone"],
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _shoot(page: Page, name: str, lang: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the bar stays on top of the whole page
    expect(page.locator("#toast.shown")).to_have_count(0, timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / f"courier-{name}-{lang}.png"), full_page=True)


def _in_language(page: Page, lang: str) -> None:
    """The app in the test's language (the switch names the other one)."""
    if page.locator("#lang-switch").inner_text().strip().lower() == lang:
        page.locator("#lang-switch").click()


def _at_the_office(app: App, page: Page, form: str, code: str, signer: str, lang: str) -> None:
    """The office's card, its stop, then the form: the code, the seal, the one signature."""
    page.goto("/courier/#/")
    card = page.locator(f".stop.pending .stop-link[href^='#/{form}/']")
    expect(card).to_contain_text(WORDS[lang][form])
    expect(card).to_contain_text(code)
    if form == "leave":  # the center's window is not the office's: only the planned time
        expect(card).not_to_contain_text("–")
    _shoot(page, f"office-route-{form}", lang)
    card.click()
    expect(page.locator("h1")).to_have_text(WORDS[lang][form])
    expect(page.locator("a.danger")).to_have_count(0)  # nobody to miss at one's own office
    expect(page.locator("canvas.pad")).to_have_count(1)
    expect(page.locator(f"canvas#{signer}")).to_be_visible()
    app.enter_code("HS000000005VN")  # a valid code, but not one left here
    expect(page.locator("#code-error")).to_be_visible()
    app.enter_code(code)
    expect(page.locator(".codes li.ok")).to_have_count(1)
    page.fill("#seal", f"BC-{form}")
    page.locator("form button[type=submit]").click()  # not signed yet: the form says so
    expect(page.locator(f"#{signer}-error")).to_be_visible()
    assert_accessible(page)
    app.sign(f"#{signer}")
    expect(page.locator(f"#{signer}-error")).to_be_hidden()  # signed: put right
    expect(page.locator("#form-error")).to_be_hidden()
    assert_accessible(page)
    _shoot(page, f"office-{form}", lang)
    page.locator("form button[type=submit]").click()
    expect(page.locator("ol.stops")).to_be_visible()


@pytest.mark.parametrize(("backend", "lang"), [("sqlite", "vi"), ("postgresql", "en")])
def test_a_dossier_spends_the_night_at_the_post_office_and_reaches_the_center(
    backend: str,
    lang: str,
    browser: Browser,
    playwright: Playwright,
    quick: QuickServers,
    photo: Path,
) -> None:
    """Picked up and left at the office offline (the clerk signs), sent in order when the network
    returns; the next plan's stop collects it (the courier signs) and the center receives it."""
    if backend == "postgresql":
        services.require(services.POSTGRES_URL, "PostgreSQL")
    site = quick.servers[backend]
    api = playwright.request.new_context(base_url=site.base)
    world = World(api, quick.urls[backend])
    code, digits = world.too_late_for_the_center()
    plan_id = world.publish_for_today(booking_day())
    held = world.stop_of(plan_id, code, "inbound", "delivery")
    assert held.at_post_office
    page = _phone(browser, site, lang)
    app = App(page)
    app.sign_in(held.code.lower())
    _in_language(page, lang)
    app.until_offline_ready()
    page.context.set_offline(True)
    app.pick_up(code, photo)
    _at_the_office(app, page, "leave", code, "signature", lang)
    expect(page.locator("#outbox-count")).to_contain_text("2")
    expect(page.locator(".stop.done", has_text=code)).to_have_count(2)
    assert not world.rows(
        "SELECT i.id FROM handover_item i JOIN dossier d ON d.id = i.dossier_id"
        " WHERE d.tracking_code = :code",
        code=code,
    ), "nothing reaches the server while the phone is offline"
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#outbox-count")).to_be_hidden(timeout=30_000)
    office = _check_the_night(world, code, held.code)
    _bring_it_in(world, browser, site, code, office, lang)
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()
    _track(browser, site, code, digits, lang)
    api.dispose()


def _check_the_night(world: World, code: str, courier: str) -> int:
    """The server holds the pickup then the night at the office (the clerk's signature, the
    seal), the dossier held by the office, and the relay pair from the office to the center."""
    items = world.rows(
        "SELECT i.event, h.from_kind, h.to_kind, h.to_id, h.seal_number, h.id, h.device_at,"
        " h.recorded_at, h.lat, h.lon, h.accuracy_m"
        " FROM handover_item i JOIN handover h ON h.id = i.handover_id"
        " JOIN dossier d ON d.id = i.dossier_id WHERE d.tracking_code = :code ORDER BY h.id",
        code=code,
    )
    assert [(i.event, i.from_kind, i.to_kind) for i in items] == [
        ("pick_up", "citizen", "courier"),
        ("arrive_post_office", "courier", "post_office"),
    ]
    night = items[1]
    assert night.seal_number == "BC-leave"
    assert _utc(night.device_at) < _utc(night.recorded_at), "captured offline, received later"
    assert (round(night.lat, 4), round(night.lon, 4), night.accuracy_m) == (10.9812, 106.6551, 9)
    office = world.rows(
        "SELECT s.id FROM courier c JOIN site s ON s.id = c.home_post_office_id WHERE c.code = :c",
        c=courier,
    )[0].id
    assert night.to_id == office
    proofs = world.rows("SELECT role FROM handover_proof WHERE handover_id = :h", h=night.id)
    assert [p.role for p in proofs] == ["signature"]
    dossier = world.rows(
        "SELECT holder_kind, holder_id FROM dossier WHERE tracking_code = :code", code=code
    )[0]
    assert (dossier.holder_kind, dossier.holder_id) == ("post_office", office)
    relay = world.rows(
        "SELECT j.kind, j.site_id, j.status FROM job j JOIN dossier d ON d.id = j.dossier_id"
        " WHERE d.tracking_code = :code AND j.leg = 'relay' ORDER BY j.id",
        code=code,
    )
    assert [(j.kind, j.site_id) for j in relay][:1] == [("pickup", office)]
    assert [j.kind for j in relay] == ["pickup", "delivery"]
    return int(office)


def _bring_it_in(
    world: World, browser: Browser, site: Served, code: str, office: int, lang: str
) -> None:
    """The next plan's stop at the office (published, served as today's): the courier collects
    the packet and signs, then hands it in at the center with the relay's delivery."""
    day = _utc(world.job(code, "relay", "pickup").window_start).astimezone(ZONE).date()
    plan_id = world.publish_for_today(day)
    collect = world.stop_of(plan_id, code, "relay", "pickup")
    assert not collect.at_post_office
    page = _phone(browser, site, lang)
    app = App(page)
    app.sign_in(collect.code.lower())
    _in_language(page, lang)
    _at_the_office(app, page, "take", code, "signature", lang)
    center = page.locator(".stop.pending .stop-link[href^='#/center/']", has_text=code)
    center.click()
    app.enter_code(code)
    page.fill("#seal", "BC-center")
    app.sign("#signature")
    app.sign("#counter_signature")
    page.locator("form button[type=submit]").click()
    done = page.locator(".stop.done", has_text=code)
    expect(done).to_have_count(2)  # collected at the office, handed in at the center
    expect(done.locator(".unsent")).to_have_count(0, timeout=30_000)
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()
    events = world.rows(
        "SELECT i.event, h.from_kind, h.from_id FROM handover_item i"
        " JOIN handover h ON h.id = i.handover_id JOIN dossier d ON d.id = i.dossier_id"
        " WHERE d.tracking_code = :code ORDER BY h.id",
        code=code,
    )
    assert [e.event for e in events] == [
        "pick_up",
        "arrive_post_office",
        "leave_post_office",
        "receive_at_center",
    ]
    assert (events[2].from_kind, events[2].from_id) == ("post_office", office)
    jobs = world.rows(
        "SELECT j.status FROM job j JOIN dossier d ON d.id = j.dossier_id"
        " WHERE d.tracking_code = :code",
        code=code,
    )
    assert {j.status for j in jobs} == {"done"}


def _track(browser: Browser, site: Served, code: str, digits: str, lang: str) -> None:
    """The citizen's tracking page shows the night at the post office."""
    context = browser.new_context(base_url=site.base, **VIEWPORTS["phone"])
    context.add_cookies([{"name": "lang", "value": lang, "url": site.base}])
    page = context.new_page()
    page.goto(f"/track/{code}")
    page.locator("#code").fill(code)
    page.locator("#phone").fill(digits)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator(".timeline")).to_contain_text(ARRIVED[lang])
    context.close()


def _utc(value: datetime | str) -> datetime:
    """A naive UTC time as the database gives it back (SQLite: as text)."""
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    return found.replace(tzinfo=UTC)
