"""The courier's app in real Chromium on a phone: a morning offline, then the network returns.

Each test has a courier of its own (the routes of a day do not mix) and a browser profile on disk,
so closing the browser and opening it again finds what the phone kept.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Geolocation, Page, Playwright, expect

from tests import services
from tests.faults.serving import Served
from tests.web.conftest import CHROMIUM, DATABASE_URLS, SCREENSHOTS, VIEWPORTS, assert_accessible
from tests.web.courier_field import App, Field
from tests.web.test_courier_modules import label_frames, qr, valid_code

POSITION: Geolocation = {"latitude": 10.9812, "longitude": 106.6551, "accuracy": 9}
BACKENDS = ["sqlite", "postgresql"]
FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12 MP camera photo of a sealed packet (4000 × 3000 JPEG)."""
    path = tmp_path_factory.mktemp("photos") / "packet.jpg"
    image = Image.new("RGB", (4000, 3000), (190, 170, 140))
    draw = ImageDraw.Draw(image)
    for i in range(0, 4000, 50):
        draw.line([(i, 0), (4000 - i, 3000)], fill=(i % 255, 80, 160 - i % 120), width=9)
    draw.rectangle((1200, 900, 2800, 2100), fill=(140, 90, 40), outline=(20, 20, 20), width=25)
    image.save(path, "JPEG", quality=88)
    return path


Opener = Callable[..., Any]
# expire the access token the phone keeps (as a morning offline does); answers the refresh token
EXPIRE_ACCESS = """async () => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("courier"); r.onsuccess = () => ok(r.result); r.onerror = ko;
  });
  const tx = db.transaction("meta", "readwrite");
  const meta = tx.objectStore("meta");
  const session = await new Promise((ok) => { const g = meta.get("session"); g.onsuccess = () => ok(g.result); });
  meta.put({...session, access: "expired", accessUntil: 0}, "session");
  await new Promise((ok) => { tx.oncomplete = ok; });
  db.close();
  return session.refresh;
}"""


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot under build/screens, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(playwright: Playwright, tmp_path: Path) -> Opener:
    """Open the courier's phone (its browser profile on disk), online or not."""

    @contextmanager
    def open_phone(
        site: Served, *, offline: bool = False, camera: Path | None = None
    ) -> Iterator[Page]:
        films = (
            [] if camera is None else [*FAKE_CAMERA, f"--use-file-for-fake-video-capture={camera}"]
        )
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", *films],
            base_url=site.base,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            geolocation=POSITION,
            permissions=["geolocation", "camera"] if camera else ["geolocation"],
            offline=offline,
            **VIEWPORTS["phone"],
        )
        context.set_default_timeout(15_000)
        page = context.pages[0] if context.pages else context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page
        finally:
            context.close()
        assert not errors, errors

    return open_phone


def _field(
    playwright: Playwright,
    servers: dict[str, Served],
    backend: str,
    courier: str,
    dispatcher: str = "dispatch.tdm",
) -> Field:
    if backend == "postgresql":
        services.require(services.POSTGRES_URL, "PostgreSQL")
    site = servers[backend]
    api = playwright.request.new_context(base_url=site.base)
    return Field(api, DATABASE_URLS[backend], courier, dispatcher)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_morning_offline_is_sent_once_when_the_network_returns(
    backend: str, playwright: Playwright, servers: dict[str, Served], phone: Opener, photo: Path
) -> None:
    """Two pickups and a failed visit offline, the browser closed and reopened offline, then online:
    the server holds exactly those two handovers and that one attempt, as the phone captured them."""
    courier = "BD-CR-TDM-02" if backend == "sqlite" else "BD-CR-TDM-03"
    field = _field(playwright, servers, backend, courier)
    first, second, absent = field.today_stops(3)
    site = servers[backend]
    with phone(site) as page:
        app = App(page, SCREENSHOTS if backend == "sqlite" else None)
        app.sign_in(field.username)
        app.until_offline_ready()
        cdp = page.context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        assert_accessible(page)
        shoot(page, f"courier-route-{backend}")
        page.context.set_offline(True)
        app.pick_up(first.code, photo)
        app.pick_up(second.code, photo)
        app.fail(absent.code, "not_home")
        expect(page.locator("#outbox-count")).to_contain_text("3")
        assert_accessible(page)
    assert not field.rows(
        "SELECT h.id FROM handover h JOIN handover_item i ON i.handover_id = h.id"
        " JOIN dossier d ON d.id = i.dossier_id WHERE d.tracking_code IN (:a, :b)",
        a=first.code,
        b=second.code,
    ), "nothing may reach the server while the phone is offline"

    with phone(site, offline=True) as page:  # the phone restarted, still without a network
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")  # no help from the browser's HTTP cache: the worker serves
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.goto("/courier/")
        expect(page.locator("ol.stops")).to_be_visible()
        expect(page.locator("#outbox-count")).to_contain_text("3")
        before = page.evaluate(EXPIRE_ACCESS)  # a morning later: the access token has expired
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#outbox-count")).to_be_hidden(timeout=30_000)
        assert page.evaluate(EXPIRE_ACCESS) != before, "renewed from the device session, rotated"

    _check_recorded(field, first.code, second.code, absent.pickup_job)


def _check_recorded(field: Field, *picked: str | int) -> None:
    first, second, absent_job = picked
    handovers = field.rows(
        "SELECT h.id, h.device_at, h.recorded_at, h.lat, h.lon, h.accuracy_m, d.tracking_code"
        " FROM handover h JOIN handover_item i ON i.handover_id = h.id"
        " JOIN dossier d ON d.id = i.dossier_id WHERE d.tracking_code IN (:a, :b)",
        a=first,
        b=second,
    )
    assert sorted(h.tracking_code for h in handovers) == sorted([first, second])
    for handover in handovers:
        assert handover.device_at < handover.recorded_at, "captured offline, received later"
        assert (round(handover.lat, 4), round(handover.lon, 4)) == (10.9812, 106.6551)
        assert handover.accuracy_m == 9
    attempts = field.rows(
        "SELECT device_at, attempted_at, lat, lon, accuracy_m FROM job_attempt WHERE job_id = :j",
        j=absent_job,
    )
    assert len(attempts) == 1
    assert attempts[0].device_at < attempts[0].attempted_at
    assert attempts[0].accuracy_m == 9
    for code in (first, second):
        chain = field.get(f"/dossiers/{code}/custody", field.admin)
        assert chain["verified"], chain
        assert [link["event"] for link in chain["links"]] == ["pick_up"]
    for handover in handovers:
        _receipt_renders(field, handover.id)


def _receipt_renders(field: Field, handover_id: int) -> None:
    for _ in range(60):
        answer = field.api.get(f"/api/v1/handovers/{handover_id}/receipt.pdf", headers=field.admin)
        if answer.ok:
            assert answer.body().startswith(b"%PDF")
            return
        time.sleep(0.5)
    raise AssertionError(f"the receipt of handover {handover_id} was never rendered")


def test_a_lost_answer_is_sent_again_and_makes_one_handover(
    playwright: Playwright, servers: dict[str, Served], phone: Opener, photo: Path
) -> None:
    """The server records the pickup but its answer never reaches the phone (the signal dropped):
    the phone sends it again with the same key, and the server answers the first handover."""
    field = _field(playwright, servers, "sqlite", "BD-CR-TDM-03")
    (stop,) = field.today_stops(1)
    with phone(servers["sqlite"]) as page:
        app = App(page)
        app.sign_in(field.username)
        lost: list[int] = []

        def drop_answer(route: Any) -> None:
            answer = route.fetch()  # the server handles it...
            lost.append(answer.status)
            route.abort("connectionreset")  # ...and the phone never hears back

        page.route("**/api/v1/handovers", drop_answer)
        app.pick_up(stop.code, photo)
        for _ in range(150):  # the phone sends in the background once the pickup is saved
            if lost:
                break
            page.wait_for_timeout(100)
        assert lost == [201]
        expect(page.locator("#outbox-count")).to_contain_text("1")
        page.unroute("**/api/v1/handovers")
        page.goto("/courier/#/outbox")
        page.locator("main button.primary").click()  # "send now"
        expect(page.locator("#outbox-count")).to_be_hidden()
    handovers = field.rows(
        "SELECT DISTINCT i.handover_id FROM handover_item i JOIN dossier d ON d.id = i.dossier_id"
        " WHERE d.tracking_code = :code",
        code=stop.code,
    )
    assert len(handovers) == 1
    assert field.get(f"/dossiers/{stop.code}", field.admin)["status"] == "picked_up"


def test_a_revoked_phone_sends_nothing_and_says_why(
    playwright: Playwright, servers: dict[str, Served], phone: Opener
) -> None:
    """The phone is reported lost: the dispatcher signs it out; the failed visit recorded on it
    offline is not sent, and the phone says who signed it out and why."""
    field = _field(playwright, servers, "postgresql", "BD-CR-DA-01", "dispatch.da")
    (stop,) = field.today_stops(1)
    with phone(servers["postgresql"]) as page:
        app = App(page)
        app.sign_in(field.username)
        page.context.set_offline(True)
        app.fail(stop.code, "refused")
        devices = field.get("/devices", field.dispatcher)
        mine = [d for d in devices if d["courier_code"] == field.courier_code and d["active"]]
        assert len(mine) == 1, devices
        revoked = field.api.post(
            f"/api/v1/devices/{mine[0]['id']}/revoke",
            data={"reason": "điện thoại bị mất"},
            headers=field.dispatcher,
        )
        assert revoked.ok, revoked.text()
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#banner")).to_contain_text("điện thoại bị mất")
        # the day's personal data leaves the phone; the action is kept for the next sign-in
        expect(page.locator("#username")).to_be_visible()
        expect(page.locator("main .notice")).to_contain_text("1")
        assert_accessible(page)
    assert not field.rows("SELECT id FROM job_attempt WHERE job_id = :j", j=stop.pickup_job)


def test_a_dossier_cancelled_meanwhile_is_refused_and_kept_until_dealt_with(
    playwright: Playwright, servers: dict[str, Served], phone: Opener, photo: Path
) -> None:
    """The citizen cancelled while the courier was offline: the pickup is refused with the reason,
    stays on the phone until the courier removes it, and nothing is recorded."""
    field = _field(playwright, servers, "sqlite", "BD-CR-TA-01")
    (stop,) = field.today_stops(1)
    with phone(servers["sqlite"]) as page:
        app = App(page)
        app.sign_in(field.username)
        page.context.set_offline(True)
        app.pick_up(stop.code, photo)
        cancelled = field.api.post(f"/api/v1/track/{stop.code}/cancel", data={"phone": stop.phone})
        assert cancelled.ok, cancelled.text()
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#outbox-count.refused")).to_be_visible()
        page.locator("#outbox-count").click()
        expect(page.locator(".outbox .refused")).to_contain_text(stop.code)
        assert_accessible(page)
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(".outbox .refused button.danger").click()
        expect(page.locator("#outbox-count")).to_be_hidden()
    assert field.get(f"/dossiers/{stop.code}", field.admin)["status"] == "cancelled"
    assert not field.rows(
        "SELECT i.id FROM handover_item i JOIN dossier d ON d.id = i.dossier_id"
        " WHERE d.tracking_code = :code",
        code=stop.code,
    )


def test_ten_dossiers_handed_in_at_the_center_in_one_handover(
    playwright: Playwright, servers: dict[str, Served], phone: Opener
) -> None:
    """At the center the courier scans the ten dossiers brought (a stranger's code is refused on
    the spot); the clerk signs and the courier counter-signs: one handover moves all ten."""
    field = _field(playwright, servers, "postgresql", "BD-CR-TA-02")
    stops = field.today_stops(10)
    field.picked_up(stops)
    with phone(servers["postgresql"]) as page:
        app = App(page)
        app.sign_in(field.username)
        page.locator(".stop-link[href^='#/center/']").click()
        expect(page.locator(".counts")).to_contain_text("0")
        app.enter_code("HS000000005VN")  # a valid code, but not one of this courier's
        expect(page.locator("#code-error")).to_be_visible()
        for stop in stops:
            app.enter_code(stop.code)
        expect(page.locator(".codes li.ok")).to_have_count(10)
        page.fill("#seal", "TUI-0042")
        app.sign("#signature")
        app.sign("#counter_signature")
        assert_accessible(page)
        page.locator("form button[type=submit]").click()
        expect(page.locator("ol.stops")).to_be_visible()
        expect(page.locator("#outbox-count")).to_be_hidden()
    handovers = {
        row.handover_id
        for stop in stops
        for row in field.rows(
            "SELECT i.handover_id FROM handover_item i JOIN dossier d ON d.id = i.dossier_id"
            " WHERE d.tracking_code = :code AND i.event = 'receive_at_center'",
            code=stop.code,
        )
    }
    assert len(handovers) == 1
    handover = field.get(f"/handovers/{handovers.pop()}", field.admin)
    assert len(handover["items"]) == 10
    assert sorted(p["role"] for p in handover["proofs"]) == ["counter_signature", "signature"]
    assert all(
        field.get(f"/dossiers/{s.code}", field.admin)["status"] == "received_at_center"
        for s in stops
    )


def test_results_collected_at_the_center_and_delivered_to_the_citizens(
    playwright: Playwright, servers: dict[str, Served], phone: Opener
) -> None:
    """The way back: two results collected at the center in one handover (both sign), then each
    delivered to its citizen, who signs; the custody chains verify to the end."""
    field = _field(playwright, servers, "sqlite", "BD-CR-TA-03")
    stops = field.today_stops(2)
    field.results_ready(stops, "center.tdm")
    with phone(servers["sqlite"]) as page:
        app = App(page)
        app.sign_in(field.username)
        app.collect_results([s.code for s in stops])
        for stop in stops:
            app.deliver(stop.code)
        expect(page.locator("#outbox-count")).to_be_hidden()
        # every leg of both dossiers was today's (the test opened all their windows now): 2 × 4
        expect(page.locator(".stop.done")).to_have_count(8)
        shoot(page, "courier-route-done")
    for stop in stops:
        assert field.get(f"/dossiers/{stop.code}", field.admin)["status"] == "delivered"
        chain = field.get(f"/dossiers/{stop.code}/custody", field.admin)
        assert chain["verified"], chain
        assert [link["event"] for link in chain["links"]][-2:] == ["result_pick_up", "deliver"]


def test_the_camera_reads_the_slip_and_refuses_another_dossier(
    playwright: Playwright, servers: dict[str, Served], phone: Opener, tmp_path: Path
) -> None:
    """At the door the courier films the booking slip's QR code: another dossier's slip is refused
    on the spot, this stop's is taken (the ZXing reader: Chromium on Linux has no detector)."""
    field = _field(playwright, servers, "sqlite", "BD-CR-TDM-01")
    stranger, (stop,) = valid_code("27182818"), field.today_stops(1)
    site = servers["sqlite"]
    video = tmp_path / "door.mjpeg"
    labels = [qr(f"{site.base}/track/{stranger}"), qr(f"{site.base}/track/{stop.code}")]
    video.write_bytes(label_frames((640, 480), labels, each=15))
    with phone(site, camera=video) as page:
        app = App(page)
        app.sign_in(field.username)
        app.open_stop(stop.code)
        page.locator("a.primary.button").click()
        page.get_by_role("button", name="Quét nhãn").click()
        expect(page.locator("#code-error")).to_contain_text(stranger, timeout=20_000)
        expect(page.locator(".matched")).to_contain_text(stop.code, timeout=20_000)
        page.get_by_role("button", name="Tắt camera").click()
        expect(page.locator("video.scanner")).to_be_hidden()


def test_a_closed_counter_fails_the_center_s_dossiers_and_a_half_filled_form_is_not_lost(
    playwright: Playwright, servers: dict[str, Served], phone: Opener
) -> None:
    """At a closed counter the courier records one reason for every dossier of the center's card;
    leaving a form half filled in asks first, and staying keeps what was entered."""
    field = _field(playwright, servers, "postgresql", "BD-CR-TDM-01")
    stops = field.today_stops(2)
    field.picked_up(stops)
    with phone(servers["postgresql"]) as page:
        app = App(page)
        app.sign_in(field.username)
        page.locator(".stop-link[href^='#/center/']").click()
        page.fill("#seal", "TUI-7")
        page.once("dialog", lambda dialog: dialog.dismiss())  # "leave this form?": no
        page.get_by_role("link", name="Hủy").click()
        expect(page.locator("#seal")).to_have_value("TUI-7")
        page.once("dialog", lambda dialog: dialog.accept())  # yes, the counter is closed
        page.locator("a.danger.button").click()
        page.locator("input[name=reason][value=site_closed]").check()
        page.locator("form button[type=submit]").click()
        expect(page.locator("ol.stops")).to_be_visible()
        expect(page.locator("#outbox-count")).to_be_hidden()
        expect(page.locator(".stop.failed")).to_have_count(2)
    for stop in stops:
        attempts = field.rows(
            "SELECT reason FROM job_attempt WHERE job_id = :j", j=stop.delivery_job
        )
        assert [a.reason for a in attempts] == ["site_closed"]
