"""The world around a courier in the app's browser tests: bookings assigned today, the citizen,
the dispatcher and an admin, through the served API (and the database for today's windows)."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import APIRequestContext, Page, expect
from sqlalchemy import create_engine, text

from courier.demo import data
from tests.builders import booking_body, handover_body, photo_jpeg, signature_png
from tests.web.backoffice import fresh_phone
from tests.web.conftest import assert_accessible

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Stop:
    """A booking given to the courier for today: its code, the phone's last digits, its jobs."""

    code: str
    phone: str
    pickup_job: int
    delivery_job: int


class Field:
    """Staff and citizens around one courier, on the served app."""

    def __init__(
        self, api: APIRequestContext, database_url: str, courier_code: str, dispatcher: str
    ) -> None:
        self.api = api
        self.database_url = database_url
        self.courier_code = courier_code
        self.username = courier_code.lower()
        self.dispatcher = self.login(dispatcher, "demo-dispatch-2026")
        self.admin = self.login("admin", "demo-admin-2026")
        couriers = self.get("/couriers", self.admin)
        self.courier_id = next(c["id"] for c in couriers if c["code"] == courier_code)

    def login(self, username: str, password: str) -> dict[str, str]:
        """Bearer headers for a demo account."""
        answer = self.api.post(
            "/api/v1/auth/token", form={"username": username, "password": password}
        )
        assert answer.ok, answer.text()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def get(self, path: str, headers: dict[str, str]) -> Any:
        """A GET that must succeed, as JSON."""
        answer = self.api.get(f"/api/v1{path}", headers=headers)
        assert answer.ok, f"{path}: {answer.status} {answer.text()}"
        return answer.json()

    def today_stops(self, count: int) -> list[Stop]:
        """Bookings assigned by hand to the courier, with windows open now (today, any hour)."""
        stops = []
        for i in range(count):
            phone = fresh_phone()
            body = booking_body(phone=phone, applicant_name=f"Lê Thị Hoa {i}", lat=10.981 + i / 500)
            answer = self.api.post("/api/v1/bookings", data=body)
            assert answer.status == 201, answer.text()
            code = answer.json()["tracking_code"]
            jobs = self.get(f"/dossiers/{code}", self.admin)["jobs"]
            pickup = next(j["id"] for j in jobs if j["kind"] == "pickup")
            delivery = next(j["id"] for j in jobs if j["kind"] == "delivery")
            assigned = self.api.post(
                f"/api/v1/jobs/{pickup}/assign",
                data={"courier_id": self.courier_id},
                headers=self.admin,
            )
            assert assigned.ok, assigned.text()
            stops.append(Stop(code, phone[-4:], pickup, delivery))
        self._open_now([s.code for s in stops])
        return stops

    def _open_now(self, codes: list[str]) -> None:
        """Move the stops' windows to now: they opened a little ago and close in a few hours."""
        now = datetime.now(UTC).replace(tzinfo=None)
        midnight = datetime.now(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
        start = max(now - timedelta(minutes=30), midnight.astimezone(UTC).replace(tzinfo=None))
        # the center opens a little after the pickup, but never later than now (just after
        # midnight in Vietnam the day is only minutes old)
        delivery_opens = min(start + timedelta(minutes=5), now)
        engine = create_engine(self.database_url)
        with engine.begin() as conn:
            for code in codes:
                for kind, opens in (("pickup", start), ("delivery", delivery_opens)):
                    conn.execute(
                        text(
                            "UPDATE job SET window_start = :start, window_end = :end"
                            " WHERE kind = :kind AND dossier_id"
                            " = (SELECT id FROM dossier WHERE tracking_code = :code)"
                        ),
                        {
                            "start": opens,
                            "end": now + timedelta(hours=3),
                            "kind": kind,
                            "code": code,
                        },
                    )
        engine.dispose()

    def picked_up(self, stops: list[Stop]) -> None:
        """The courier took these dossiers already (through the API): their center stop is next."""
        courier = self.login(self.username, data.COURIER_PASSWORD)
        procedure = self.api.get("/api/v1/procedures", params={"q": "HT-01"}).json()[0]
        ticks = [{"position": d["position"], "form": d["form"]} for d in procedure["documents"]]
        for stop in stops:
            body = handover_body(
                {"kind": "citizen"}, {"kind": "courier", "id": self.courier_id}, [stop.code]
            )
            body.update(seal_number="NP-1", fees_collected_vnd=25_000, documents={stop.code: ticks})
            answer = self.api.post(
                "/api/v1/handovers",
                multipart={
                    "handover": json.dumps(body),
                    "signature": _file("signature.png", "image/png", signature_png()),
                    "photos": _file("packet.jpg", "image/jpeg", photo_jpeg()),
                },
                headers=courier,
            )
            assert answer.status == 201, answer.text()

    def results_ready(self, stops: list[Stop], center: str) -> list[int]:
        """The dossiers reach their center (through the API), which processes them and has the
        results ready for the courier to bring back; the return pickups are the courier's today."""
        self.picked_up(stops)
        courier = self.login(self.username, data.COURIER_PASSWORD)
        clerk = self.login(center, "demo-center-2026")
        site_code = self.get(f"/dossiers/{stops[0].code}", self.admin)["receiving_site_code"]
        site = self.rows("SELECT id FROM site WHERE code = :code", code=site_code)[0].id
        body = handover_body(
            {"kind": "courier", "id": self.courier_id},
            {"kind": "center", "id": site},
            [s.code for s in stops],
        )
        body.update(seal_number="NP-2", site_id=site)
        answer = self.api.post(
            "/api/v1/handovers",
            multipart={
                "handover": json.dumps(body),
                "signature": _file("signature.png", "image/png", signature_png()),
                "counter_signature": _file("counter.png", "image/png", signature_png()),
            },
            headers=courier,
        )
        assert answer.status == 201, answer.text()
        returns = []
        for stop in stops:
            for step in ("processing", "result-ready"):
                done = self.api.post(f"/api/v1/dossiers/{stop.code}/{step}", headers=clerk)
                assert done.ok, done.text()
            jobs = self.get(f"/dossiers/{stop.code}", self.admin)["jobs"]
            job = next(j["id"] for j in jobs if j["leg"] == "return" and j["kind"] == "pickup")
            assigned = self.api.post(
                f"/api/v1/jobs/{job}/assign",
                data={"courier_id": self.courier_id},
                headers=self.admin,
            )
            assert assigned.ok, assigned.text()
            returns.append(job)
        self._open_now([s.code for s in stops])
        return returns

    def rows(self, sql: str, **params: Any) -> list[Any]:
        """What the database holds (to count what the server recorded, exactly)."""
        engine = create_engine(self.database_url)
        with engine.connect() as conn:
            found = list(conn.execute(text(sql), params))
        engine.dispose()
        return found


def _file(name: str, media_type: str, content: bytes) -> Any:
    return {"name": name, "mimeType": media_type, "buffer": content}


class App:
    """The courier's phone, driven as the courier would."""

    def __init__(self, page: Page, screens: Path | None = None) -> None:
        self.page = page
        self.screens = screens

    def sign_in(self, username: str) -> None:
        """Sign in once online; the route appears."""
        self.page.goto("/courier/")
        self.page.fill("#username", username)
        self.page.fill("#password", data.COURIER_PASSWORD)
        self.page.locator("form button[type=submit]").click()
        expect(self.page.locator("ol.stops")).to_be_visible()

    def until_offline_ready(self) -> None:
        """The service worker controls the page: the app now opens without a network."""
        self.page.wait_for_function(
            "() => navigator.serviceWorker.controller !== null", timeout=15_000, polling=200
        )

    def open_stop(self, code: str) -> None:
        """Tap the stop of a dossier on the route."""
        self.page.goto("/courier/#/")
        self.page.locator(".stop.pending .stop-link[href^='#/stop/']", has_text=code).first.click()

    def sign(self, canvas: str) -> None:
        """Draw a signature on a pad with the finger (the mouse)."""
        self.page.locator(canvas).scroll_into_view_if_needed()
        box = self.page.locator(canvas).bounding_box()
        assert box is not None
        x, y = box["x"], box["y"]
        mouse = self.page.mouse
        mouse.move(x + 20, y + box["height"] * 0.6)
        mouse.down()
        for i in range(1, 12):
            mouse.move(x + 20 + i * 20, y + box["height"] * (0.3 + 0.4 * (i % 2)), steps=3)
        mouse.up()

    def enter_code(self, code: str) -> None:
        """Type a dossier's code and check it."""
        self.page.fill("#code", code)
        self.page.locator("#code").press("Enter")

    def pick_up(self, code: str, photo: Path) -> None:
        """At a citizen's: code, every document, seal, fee, a photo, the citizen's signature."""
        self.open_stop(code)
        self.page.locator("a.primary.button").click()
        self.enter_code(code)
        expect(self.page.locator(".matched")).to_contain_text(code)
        for fieldset in self.page.locator("fieldset.doc").all():
            fieldset.locator("input[value=original]").check()
        self.page.fill("#seal", f"NP-{code[2:8]}")
        self.page.locator("#photos").set_input_files(str(photo))
        expect(self.page.locator(".thumbs img")).to_have_count(1, timeout=20_000)
        self.sign("#signature")
        if self.screens:
            assert_accessible(self.page)
            self.page.screenshot(path=str(self.screens / "courier-pickup.png"), full_page=True)
        self.page.locator("form button[type=submit]").click()
        expect(self.page.locator("ol.stops")).to_be_visible()

    def fail(self, code: str, reason: str) -> None:
        """Nobody there: the reason from the list."""
        self.open_stop(code)
        self.page.locator("a.danger.button").click()
        self.page.locator(f"input[name=reason][value={reason}]").check()
        self.page.locator("form button[type=submit]").click()
        expect(self.page.locator("ol.stops")).to_be_visible()

    def collect_results(self, codes: list[str]) -> None:
        """At the center: scan each result, seal, the courier and the clerk sign."""
        self.page.goto("/courier/#/")
        self.page.locator(".stop-link[href^='#/collect/']").click()
        for code in codes:
            self.enter_code(code)
        self.page.fill("#seal", "KQ-0001")
        self.sign("#signature")
        self.sign("#counter_signature")
        self.page.locator("form button[type=submit]").click()
        expect(self.page.locator("ol.stops")).to_be_visible()

    def deliver(self, code: str) -> None:
        """At the citizen's: the code, the fee, the citizen signs for the result."""
        self.open_stop(code)
        self.page.locator("a.primary.button").click()
        self.enter_code(code)
        self.sign("#signature")
        self.page.locator("form button[type=submit]").click()
        expect(self.page.locator("ol.stops")).to_be_visible()

    def unsent(self) -> str:
        """The outbox counter's text ('' when everything is sent)."""
        counter = self.page.locator("#outbox-count")
        return "" if counter.is_hidden() else counter.inner_text()
