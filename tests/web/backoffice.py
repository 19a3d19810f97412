"""The staff side of a browser test, through the served API: book, assign, fail a visit, pick up."""

import json
import secrets
from typing import Any

from playwright.sync_api import APIRequestContext

from courier.demo import data
from tests.builders import booking_body, handover_body, photo_jpeg, signature_png

COURIER = "BD-CR-TDM-01"


def fresh_phone() -> str:
    """A mobile number of its own (a number may book only a few times a day); 0912 is VinaPhone's,
    so every such number is a valid Vietnamese mobile."""
    return "0912" + "".join(str(secrets.randbelow(10)) for _ in range(6))


class Backoffice:
    """The staff side, through the served API: book, assign, fail a visit, pick up."""

    def __init__(self, api: APIRequestContext) -> None:
        self.api = api
        self.dispatcher = self.login("dispatch.tdm", "demo-dispatch-2026")
        self.courier = self.login(COURIER.lower(), data.COURIER_PASSWORD)

    def login(self, username: str, password: str) -> dict[str, str]:
        """Bearer headers for a demo account."""
        answer = self.api.post(
            "/api/v1/auth/token", form={"username": username, "password": password}
        )
        assert answer.ok, answer.text()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def book(self) -> tuple[str, str]:
        """A fresh booking on a phone of its own (the per-phone daily cap): (code, last 4 digits)."""
        phone = fresh_phone()
        answer = self.api.post("/api/v1/bookings", data=booking_body(phone=phone))
        assert answer.status == 201, answer.text()
        return answer.json()["tracking_code"], phone[-4:]

    def assign_pickup(self, code: str) -> tuple[int, int]:
        """Give the dossier's pickup to the courier: (job id, courier id)."""
        dossier = self.api.get(f"/api/v1/dossiers/{code}", headers=self.dispatcher).json()
        job = next(j["id"] for j in dossier["jobs"] if j["kind"] == "pickup")
        couriers = self.api.get("/api/v1/couriers", headers=self.dispatcher).json()
        courier_id = next(c["id"] for c in couriers if c["code"] == COURIER)
        answer = self.api.post(
            f"/api/v1/jobs/{job}/assign", data={"courier_id": courier_id}, headers=self.dispatcher
        )
        assert answer.ok, answer.text()
        return job, courier_id

    def fail_pickup(self, code: str, reason: str) -> None:
        """The courier finds nobody and records why."""
        job, _ = self.assign_pickup(code)
        answer = self.api.post(
            f"/api/v1/jobs/{job}/attempts", data={"reason": reason}, headers=self.courier
        )
        assert answer.ok, answer.text()

    def pick_up(self, code: str) -> None:
        """The courier takes the dossier: checklist, seal, fee, signature and a photo."""
        _, courier_id = self.assign_pickup(code)
        body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": courier_id}, [code])
        procedure = self.api.get("/api/v1/procedures", params={"q": "HT-01"}).json()[0]
        ticks = [{"position": d["position"], "form": d["form"]} for d in procedure["documents"]]
        body.update(seal_number="NP-000777", fees_collected_vnd=25_000, documents={code: ticks})
        answer = self.api.post(
            "/api/v1/handovers",
            multipart={
                "handover": json.dumps(body),
                "signature": _file("signature.png", "image/png", signature_png()),
                "photos": _file("packet.jpg", "image/jpeg", photo_jpeg()),
            },
            headers=self.courier,
        )
        assert answer.status == 201, answer.text()


def _file(name: str, media_type: str, content: bytes) -> Any:
    return {"name": name, "mimeType": media_type, "buffer": content}
