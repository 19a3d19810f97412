"""Device sessions: a phone signs in once, renews its access token for days, and can be signed out.

The refresh token rotates on each use; a lost answer (the previous token again, before the new
pair was ever used) is answered with a fresh pair, a copied token (the previous one after the new
pair was used) revokes the session. A revoked or expired phone is refused with a code it can act
on and a sentence saying who signed it out and why.
"""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier.accounts.models import DeviceSession
from courier.db import utcnow
from courier.demo import data
from courier.settings import Settings
from tests.builders import headers_for

COURIER = "bd-cr-tdm-01"


def _device_login(client: TestClient, username: str = COURIER, name: str = "Redmi 9A") -> Any:
    response = client.post(
        "/api/v1/auth/device",
        data={"username": username, "password": data.COURIER_PASSWORD, "device_name": name},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _refresh(client: TestClient, token: str) -> Any:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def _me(client: TestClient, tokens: dict[str, Any]) -> Any:
    return client.get("/api/v1/couriers/me", headers=_bearer(tokens))


def test_a_phone_signs_in_and_its_token_names_the_device(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """Device login answers both tokens; the access token works and names its device session."""
    tokens = _device_login(client)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == settings.access_token_minutes * 60
    assert tokens["refresh_token"].startswith(f"rt_{tokens['device_id']}_")
    assert 6 * 86_400 < tokens["refresh_expires_in"] <= 7 * 86_400
    me = _me(client, tokens)
    assert me.status_code == 200, me.text
    assert me.json()["device_id"] == tokens["device_id"]
    stored = session.get_one(DeviceSession, tokens["device_id"])
    assert stored.name == "Redmi 9A"
    assert tokens["refresh_token"] not in (stored.refresh_hash, stored.previous_hash)


def test_refresh_rotates_the_token(client: TestClient) -> None:
    """A refresh answers a new pair; the new refresh token is different and works in turn."""
    first = _device_login(client)
    second = _refresh(client, first["refresh_token"])
    assert second.status_code == 200, second.text
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert renewed["device_id"] == first["device_id"]
    assert _me(client, renewed).status_code == 200
    third = _refresh(client, renewed["refresh_token"])
    assert third.status_code == 200, third.text


def test_a_lost_answer_is_retried_with_the_previous_token(client: TestClient) -> None:
    """The phone never got the refresh answer: presenting its old token again gives a fresh pair,
    and only the pair it finally received keeps working."""
    first = _device_login(client)
    lost = _refresh(client, first["refresh_token"]).json()
    retried = _refresh(client, first["refresh_token"])
    assert retried.status_code == 200, retried.text
    kept = retried.json()
    assert kept["refresh_token"] != lost["refresh_token"]
    assert _me(client, kept).status_code == 200
    assert _refresh(client, kept["refresh_token"]).status_code == 200


def test_a_reused_refresh_token_revokes_the_session(client: TestClient, session: Session) -> None:
    """The previous token presented after the new pair was used is a copy: the session is
    revoked (and stays so), the phone's tokens stop working."""
    first = _device_login(client)
    renewed = _refresh(client, first["refresh_token"]).json()
    assert _me(client, renewed).status_code == 200  # the new pair reached the phone
    reused = _refresh(client, first["refresh_token"])
    assert reused.status_code == 401
    assert reused.json()["code"] == "device_revoked"
    session.expire_all()
    stored = session.get_one(DeviceSession, first["device_id"])
    assert stored.revoked_at is not None
    assert stored.revoke_reason == "refresh token reused"
    assert _me(client, renewed).json()["code"] == "device_revoked"
    assert _refresh(client, renewed["refresh_token"]).json()["code"] == "device_revoked"


def test_a_revoked_phone_is_told_who_signed_it_out_and_why(
    client: TestClient, session: Session
) -> None:
    """The dispatcher revokes a lost phone: its access token answers 401 device_revoked with the
    dispatcher's name and the reason, in Vietnamese first and in English on request."""
    tokens = _device_login(client)
    dispatcher = headers_for(session, "dispatch.tdm")
    revoked = client.post(
        f"/api/v1/devices/{tokens['device_id']}/revoke",
        json={"reason": "lost phone"},
        headers=dispatcher,
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False
    refused = _me(client, tokens)
    assert refused.status_code == 401
    body = refused.json()
    assert body["code"] == "device_revoked"
    assert "Nguyễn Thị Thu Hà" in body["detail"]
    assert "lost phone" in body["detail"]
    english = client.get(
        "/api/v1/couriers/me", headers={**_bearer(tokens), "Accept-Language": "en"}
    ).json()
    assert english["detail"] == (
        "This phone was signed out by Nguyễn Thị Thu Hà: lost phone. "
        "Ask your dispatcher, then sign in again."
    )
    again = client.post(
        f"/api/v1/devices/{tokens['device_id']}/revoke",
        json={"reason": "second time"},
        headers=dispatcher,
    )
    assert again.status_code == 200
    assert again.json()["revoke_reason"] == "lost phone"


def test_plain_tokens_keep_working(client: TestClient, session: Session) -> None:
    """A token from the password flow has no device session and is not affected."""
    response = client.get("/api/v1/couriers/me", headers=headers_for(session, COURIER))
    assert response.status_code == 200
    assert response.json()["device_id"] is None


def test_an_expired_session_is_refused(client: TestClient, session: Session) -> None:
    """Past its expiry the phone's access and refresh tokens answer 401 device_expired."""
    tokens = _device_login(client)
    session.execute(
        update(DeviceSession)
        .where(DeviceSession.id == tokens["device_id"])
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    assert _me(client, tokens).json()["code"] == "device_expired"
    refreshed = _refresh(client, tokens["refresh_token"])
    assert refreshed.status_code == 401
    assert refreshed.json()["code"] == "device_expired"


def test_a_session_expires_at_its_cap_however_often_it_is_used(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """The sliding expiry never passes created_at + COURIER_DEVICE_SESSION_MAX_DAYS."""
    tokens = _device_login(client)
    started = utcnow() - timedelta(days=settings.device_session_max_days - 1)
    session.execute(
        update(DeviceSession)
        .where(DeviceSession.id == tokens["device_id"])
        .values(created_at=started)
    )
    session.commit()
    renewed = _refresh(client, tokens["refresh_token"]).json()
    assert renewed["refresh_expires_in"] <= 86_400


def test_a_wrong_refresh_token_is_refused_without_revoking(
    client: TestClient, session: Session
) -> None:
    """A made-up secret for a real session id is refused; the phone's session stays usable."""
    tokens = _device_login(client)
    forged = f"rt_{tokens['device_id']}_not-the-secret"
    refused = _refresh(client, forged)
    assert refused.status_code == 401
    assert refused.json()["code"] == "refresh_invalid"
    assert _refresh(client, tokens["refresh_token"]).status_code == 200


def test_who_sees_and_revokes_which_phones(client: TestClient, session: Session) -> None:
    """The dispatcher of the courier's office and admins list and revoke the phone; another
    office's dispatcher and another courier get 404 as if it did not exist."""
    tokens = _device_login(client)
    device = tokens["device_id"]
    listed = {
        who: [
            d["id"] for d in client.get("/api/v1/devices", headers=headers_for(session, who)).json()
        ]
        for who in ("admin", "dispatch.tdm", "dispatch.da", "bd-cr-tdm-02", COURIER)
    }
    assert device in listed["admin"]
    assert device in listed["dispatch.tdm"]
    assert device in listed[COURIER]
    assert device not in listed["dispatch.da"]
    assert device not in listed["bd-cr-tdm-02"]
    mine = client.get("/api/v1/devices", headers=headers_for(session, "dispatch.tdm")).json()
    entry = next(d for d in mine if d["id"] == device)
    assert entry["courier_code"] == "BD-CR-TDM-01"
    assert entry["username"] == COURIER
    assert entry["active"] is True
    assert entry["name"] == "Redmi 9A"
    for stranger in ("dispatch.da", "bd-cr-tdm-02"):
        refused = client.post(
            f"/api/v1/devices/{device}/revoke",
            json={"reason": "not mine"},
            headers=headers_for(session, stranger),
        )
        assert refused.status_code == 404
    assert _me(client, tokens).status_code == 200


def test_a_courier_signs_their_own_phone_out(client: TestClient) -> None:
    """Signing out from the app revokes its own session: the phone's tokens stop working."""
    tokens = _device_login(client)
    response = client.post(
        f"/api/v1/devices/{tokens['device_id']}/revoke",
        json={"reason": "signed out"},
        headers=_bearer(tokens),
    )
    assert response.status_code == 200, response.text
    assert _refresh(client, tokens["refresh_token"]).json()["code"] == "device_revoked"


def test_a_revocation_needs_a_reason(client: TestClient, session: Session) -> None:
    """An empty reason is refused (422), the phone stays signed in."""
    tokens = _device_login(client)
    response = client.post(
        f"/api/v1/devices/{tokens['device_id']}/revoke",
        json={"reason": ""},
        headers=headers_for(session, "admin"),
    )
    assert response.status_code == 422
    assert (
        session.scalar(
            select(DeviceSession.revoked_at).where(DeviceSession.id == tokens["device_id"])
        )
        is None
    )
