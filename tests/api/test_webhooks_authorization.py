"""Who may manage a center's webhooks: its staff, its system (API key) and admins; nobody else.

The actors are those of the dossier matrix (`test_authorization`). The world holds a Thủ Dầu Một
subscription with one failed delivery and a Thuận An subscription; each actor's try is rolled back.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier import runtime
from courier.actors import SYSTEM
from courier.errors import InvalidInput
from courier.settings import Settings
from courier.webhooks import service as webhooks
from courier.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from courier.webhooks.urls import check_url
from tests.api.test_authorization import ACTORS, _credentials
from tests.builders import book
from tests.conftest import joined_sessions, rolled_back, suite_settings

NOWHERE = "http://127.0.0.1:9/courier"  # the discard port: every try fails at once
TDM = {"staff_receiving_site", "api_key_site", "admin"}
TA = {"staff_other_site", "api_key_other_site"}


@dataclass
class World:
    """The subscriptions, the failed delivery and everyone's credentials."""

    connection: Connection
    factory: sessionmaker[Session]
    headers: dict[str, dict[str, str]]
    tdm: int
    ta: int
    failed: int


def _settings() -> Settings:
    return suite_settings().model_copy(update={"embedded_worker": False})


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[World]:
    """Arranged once for the module, on a connection rolled back after it."""
    with (
        rolled_back(engine) as conn,
        joined_sessions(conn) as made,
        TestClient(create_app(_settings(), made)) as client,
        made() as session,
    ):
        headers = _credentials(session)
        tdm = webhooks.register(
            session, SYSTEM, url=NOWHERE, site_code="BD-TDM", settings=_settings()
        )
        ta = webhooks.register(
            session, SYSTEM, url=NOWHERE, site_code="BD-TA", settings=_settings()
        )
        session.commit()
        book(client)
        session.execute(update(WebhookDelivery).values(status=DeliveryStatus.FAILED))
        failed = session.scalar(select(WebhookDelivery.id))
        assert failed is not None
        session.commit()
        yield World(conn, made, headers, tdm.subscription.id, ta.subscription.id, failed)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    """An app of its own for one actor's try, rolled back afterwards."""
    attempt = world.connection.begin_nested()
    runtime.use_session_factory(world.factory)
    with TestClient(create_app(_settings(), world.factory)) as made:
        yield made
    attempt.rollback()


def _snapshot(world: World) -> list[object]:
    with world.factory() as session:
        subscriptions = session.execute(
            select(WebhookSubscription.id, WebhookSubscription.active).order_by("id")
        ).all()
        deliveries = session.execute(
            select(WebhookDelivery.id, WebhookDelivery.status).order_by("id")
        ).all()
    return [*subscriptions, *deliveries]


Call = Callable[[TestClient, World, dict[str, str]], Response]
OPERATIONS: dict[str, tuple[Call, set[str], int]] = {
    "register_for_tdm": (
        lambda c, w, h: c.post(
            "/api/v1/webhooks", json={"url": NOWHERE, "site_code": "BD-TDM"}, headers=h
        ),
        TDM,
        201,
    ),
    "list": (lambda c, w, h: c.get("/api/v1/webhooks", headers=h), TDM | TA, 200),
    "deliveries": (
        lambda c, w, h: c.get(f"/api/v1/webhooks/{w.tdm}/deliveries", headers=h),
        TDM,
        200,
    ),
    "replay": (
        lambda c, w, h: c.post(f"/api/v1/webhooks/{w.tdm}/deliveries/{w.failed}/replay", headers=h),
        TDM,
        200,
    ),
    "replay_all": (
        lambda c, w, h: c.post(f"/api/v1/webhooks/{w.tdm}/deliveries/replay", headers=h),
        TDM,
        200,
    ),
    "delete": (lambda c, w, h: c.delete(f"/api/v1/webhooks/{w.tdm}", headers=h), TDM, 204),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_centers_staff_system_and_admins_manage_its_webhooks(
    world: World, client: TestClient, actor: str, operation: str
) -> None:
    """Allowed: done. The other center's: 404 (or 403 to name it). Others: 401/403, no change."""
    call, allowed, done = OPERATIONS[operation]
    before = _snapshot(world)
    response = call(client, world, world.headers[actor])
    if actor in allowed:
        assert response.status_code == done, response.text
        return
    if actor == "anonymous":
        expected = 401
    elif actor in TA and operation != "register_for_tdm":
        expected = 404
    else:
        expected = 403
    assert response.status_code == expected, response.text
    assert _snapshot(world) == before


@pytest.mark.parametrize("actor", sorted(TDM | TA))
def test_the_list_holds_only_the_callers_center_and_never_a_secret(
    world: World, client: TestClient, actor: str
) -> None:
    """Admins see every center's subscriptions; staff and systems their own center's."""
    listed = client.get("/api/v1/webhooks", headers=world.headers[actor]).json()
    expected = {"admin": {"BD-TDM", "BD-TA"}}.get(actor, {"BD-TDM"} if actor in TDM else {"BD-TA"})
    assert {s["site_code"] for s in listed} == expected
    assert all("secret" not in s for s in listed)


@pytest.mark.parametrize("actor", sorted(TDM | TA))
def test_registering_without_a_center_takes_the_callers_own(
    world: World, client: TestClient, actor: str
) -> None:
    """Staff and systems get their center and the secret once; an admin must name one (422)."""
    response = client.post("/api/v1/webhooks", json={"url": NOWHERE}, headers=world.headers[actor])
    if actor == "admin":
        assert response.status_code == 422, response.text
        return
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["site_code"] == ("BD-TDM" if actor in TDM else "BD-TA")
    assert made["secret"].startswith("whsec_")


@pytest.mark.parametrize(
    "url",
    [
        "http://hcc.example.vn/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "ftp://hcc.example.vn/hook",
    ],
)
def test_production_refuses_plain_http_and_private_addresses(url: str) -> None:
    """In production: https:// only, and never to a loopback, private or link-local address."""
    with pytest.raises(InvalidInput):
        check_url(url, environment="production")
    check_url("http://127.0.0.1:8080/hook", environment="test")
