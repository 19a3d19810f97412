"""A center's webhook receiver on localhost hears of every status change of its dossiers, signed,
exactly once, in order, even after it was down; undeliverable ones are listed and replayed."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from courier.db import utcnow
from courier.dossiers.models import Dossier, TrackingEvent
from courier.outbox.models import OutboxMessage
from courier.outbox.service import relay_pending
from courier.settings import Settings
from courier.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.builders import (
    STAFF_TDM,
    book,
    handover_body,
    headers_for,
    pick_up,
    post_handover_ok,
    to_out_for_delivery,
)
from tests.conftest import suite_settings

TRIES = 6  # the first and one after each of the five waits


@dataclass
class Received:
    """One POST the receiver got: its headers and body, and the status it answered."""

    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def json(self) -> dict[str, Any]:
        """The body, parsed."""
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


@dataclass
class Receiver:
    """A center's system: answers `status` to each POST and keeps what it got."""

    status: int = 200
    got: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where it listens."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/courier"

    @property
    def accepted(self) -> list[Received]:
        """The POSTs it answered with 200."""
        return [r for r in self.got if r.answered == 200]


def _serve(receiver: Receiver, port: int = 0) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.got.append(Received(dict(self.headers.items()), body, receiver.status))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.server = server
    return server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver listening on a free local port until the test ends."""
    found = Receiver()
    server = _serve(found)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings() -> Settings:
    """No task thread: the tasks a request enqueued run once it has answered, in order."""
    return suite_settings().model_copy(update={"embedded_worker": False})


def _subscribe(client: TestClient, session: Session, url: str, user: str = STAFF_TDM) -> Any:
    response = client.post(
        "/api/v1/webhooks", json={"url": url}, headers=headers_for(session, user)
    )
    assert response.status_code == 201, response.text
    return response.json()


def _verified(received: Received, secret: str) -> dict[str, Any]:
    """The body, after checking its signature as the README tells receivers to."""
    timestamp, signature = (
        received.headers["X-Courier-Timestamp"],
        received.headers["X-Courier-Signature"],
    )
    signed = f"{timestamp}.".encode() + received.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert signature == f"t={timestamp},v1={expected}"
    assert abs(int(timestamp) - utcnow().timestamp()) < 300
    return received.json


def _events(session: Session, code: str) -> list[int]:
    session.expire_all()
    query = (
        select(TrackingEvent.id)
        .join(Dossier, Dossier.id == TrackingEvent.dossier_id)
        .where(Dossier.tracking_code == code)
        .order_by(TrackingEvent.id)
    )
    return list(session.scalars(query))


def _time_passes(session: Session, factory: sessionmaker[Session]) -> None:
    """Every wait is over: pending deliveries and their outbox messages due now; relay."""
    past = utcnow() - timedelta(seconds=1)
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(next_attempt_at=past)
    )
    session.execute(
        update(OutboxMessage).where(OutboxMessage.done_at.is_(None)).values(available_at=past)
    )
    session.commit()
    relay_pending(factory)


def test_every_status_change_reaches_the_center_signed_once_in_order(
    client: TestClient, session: Session, receiver: Receiver
) -> None:
    """Booked to delivered: one signed POST per tracking event, in order, none twice."""
    hook = _subscribe(client, session, receiver.url)
    code = book(client)["tracking_code"]
    cid, courier = to_out_for_delivery(client, session, code)
    me = {"kind": "courier", "id": cid}
    post_handover_ok(client, courier, handover_body(me, {"kind": "citizen"}, [code]))

    bodies = [_verified(r, hook["secret"]) for r in receiver.got]
    events = _events(session, code)
    assert len(events) >= 7
    assert [b["event_id"] for b in bodies] == events
    assert len({r.headers["X-Courier-Delivery"] for r in receiver.got}) == len(events)
    assert bodies[0]["status"] == "booked"
    assert bodies[0]["previous_status"] is None
    assert bodies[-1]["status"] == "delivered"
    assert bodies[-1]["tracking_code"] == code
    assert {b["site_code"] for b in bodies} == {"BD-TDM"}


def test_a_receiver_down_for_a_while_gets_each_change_once_when_back(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    receiver: Receiver,
) -> None:
    """503s, then a closed port: the changes wait, in order, then arrive once each."""
    hook = _subscribe(client, session, receiver.url)
    receiver.status = 503
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    assert [r.json["status"] for r in receiver.got] == ["booked"]  # the next waits behind it
    assert receiver.server is not None
    port = receiver.server.server_address[1]
    receiver.server.shutdown()
    receiver.server.server_close()
    _time_passes(session, factory)  # the port is closed: one more failed try
    assert len(receiver.got) == 1

    receiver.status = 200
    server = _serve(receiver, port)
    try:
        _time_passes(session, factory)
        _time_passes(session, factory)  # nothing is left to send twice
    finally:
        server.shutdown()
        server.server_close()
    bodies = [_verified(r, hook["secret"]) for r in receiver.accepted]
    assert [b["event_id"] for b in bodies] == _events(session, code)
    assert [b["status"] for b in bodies] == ["booked", "picked_up"]


def test_undeliverable_after_the_last_try_is_listed_then_replayed(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    receiver: Receiver,
) -> None:
    """Six 503s: failed, listed with its error; the replay after the fix delivers it once."""
    hook = _subscribe(client, session, receiver.url)
    staff = headers_for(session, STAFF_TDM)
    receiver.status = 503
    book(client)
    for _ in range(TRIES):
        _time_passes(session, factory)
    assert len(receiver.got) == TRIES
    failed = client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries", params={"status": "failed"}, headers=staff
    ).json()
    assert [(d["attempts"], d["last_status_code"]) for d in failed] == [(TRIES, 503)]

    receiver.status = 200
    replayed = client.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{failed[0]['id']}/replay", headers=staff
    )
    assert replayed.status_code == 200, replayed.text
    _time_passes(session, factory)
    assert len(receiver.accepted) == 1
    assert receiver.accepted[0].headers["X-Courier-Delivery"] == str(failed[0]["id"])
    listed = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=staff).json()
    assert [d["status"] for d in listed] == ["delivered"]


def test_replay_all_sends_every_failed_delivery_again(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    receiver: Receiver,
) -> None:
    """Two dossiers' bookings failed; one call sends both again."""
    hook = _subscribe(client, session, receiver.url)
    receiver.status = 500
    book(client)
    book(client)
    for _ in range(TRIES):
        _time_passes(session, factory)
    receiver.status = 200
    url = f"/api/v1/webhooks/{hook['id']}/deliveries/replay"
    answer = client.post(url, headers=headers_for(session, STAFF_TDM))
    assert answer.json() == {"replayed": 2}
    assert len(receiver.accepted) == 2


def test_other_centers_dossiers_never_reach_the_subscription(
    client: TestClient, session: Session, receiver: Receiver
) -> None:
    """A Thuận An subscription hears nothing of a Thủ Dầu Một dossier's life."""
    _subscribe(client, session, receiver.url, user="center.thuanan")
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    assert receiver.got == []
    assert session.scalar(select(WebhookDelivery.id).limit(1)) is None


def test_a_removed_subscription_hears_nothing_more(
    client: TestClient, session: Session, receiver: Receiver
) -> None:
    """Deleted: the next status changes are not sent, and it leaves the list."""
    hook = _subscribe(client, session, receiver.url)
    staff = headers_for(session, STAFF_TDM)
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=staff).status_code == 204
    book(client)
    assert receiver.got == []
    assert client.get("/api/v1/webhooks", headers=staff).json() == []


def test_a_refused_registration_names_the_body_field_once(
    client: TestClient, session: Session
) -> None:
    """Not a web address, and an admin's missing center: loc ["body", "url"] and
    ["body", "site_code"] (not ["body", "body", ...])."""
    staff = headers_for(session, STAFF_TDM)
    plain = client.post("/api/v1/webhooks", json={"url": "ftp://center.example/x"}, headers=staff)
    assert plain.status_code == 422, plain.text
    assert [p["loc"] for p in plain.json()["detail"]] == [["body", "url"]]
    admin = headers_for(session, "admin")
    nameless = client.post(
        "/api/v1/webhooks", json={"url": "https://center.example/x"}, headers=admin
    )
    assert nameless.status_code == 422, nameless.text
    assert [p["loc"] for p in nameless.json()["detail"]] == [["body", "site_code"]]


def test_times_are_in_the_services_zone_as_in_the_other_answers(
    client: TestClient, session: Session, receiver: Receiver
) -> None:
    """Subscription and delivery times are +07:00 (Asia/Ho_Chi_Minh), as /dossiers and /plans
    answer them, not UTC ("Z")."""
    hook = _subscribe(client, session, receiver.url)
    assert hook["created_at"].endswith("+07:00")
    staff = headers_for(session, STAFF_TDM)
    listed = client.get("/api/v1/webhooks", headers=staff).json()
    assert [h["created_at"][-6:] for h in listed] == ["+07:00"]
    book(client)
    found = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=staff).json()
    assert found
    times = [d[k] for d in found for k in ("created_at", "next_attempt_at", "delivered_at")]
    assert {t[-6:] for t in times if t is not None} == {"+07:00"}
