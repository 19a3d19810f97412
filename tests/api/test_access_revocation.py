"""`courier keys revoke` and `courier users deactivate|reactivate`: access taken away at once,
through every door, with nothing deleted; a second try or an unknown name changes nothing."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from courier.accounts import service as accounts
from courier.accounts.models import ApiKey, DeviceSession, User
from courier.cli import app as cli
from courier.demo import data
from courier.dossiers.models import Dossier
from tests.builders import book, booking_body, headers_for

SAME_SITE = {"Origin": "http://testserver"}
COURIER = "bd-cr-tdm-01"
CITIZEN = ("citizen.an", "demo-citizen-2026")


def _courier(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _refused(*args: str) -> str:
    """The error a command that must change nothing printed (it exits 1)."""
    result = _courier(*args)
    assert result.exit_code == 1, result.output
    return result.output


def _key_of_the_dossiers_center(client: TestClient, session: Session) -> tuple[str, str]:
    """A booked dossier's code and an API key of the center that receives it."""
    code = book(client)["tracking_code"]
    site = session.scalar(select(Dossier.receiving_site_id).where(Dossier.tracking_code == code))
    assert site is not None
    _, secret = accounts.create_api_key(session, name="one-door system", site_id=site)
    session.commit()
    return code, secret


def _as_key(client: TestClient, code: str, secret: str) -> Any:
    return client.get(f"/api/v1/dossiers/{code}", headers={"X-API-Key": secret})


def test_a_revoked_key_is_refused_at_once_like_an_unknown_one(
    client: TestClient, session: Session
) -> None:
    """Revoked by its prefix, the key's next request is 401 with the unknown key's answer; the
    command never prints the secret."""
    code, secret = _key_of_the_dossiers_center(client, session)
    assert _as_key(client, code, secret).status_code == 200
    prefix = secret.split("_")[1]
    result = _courier("keys", "revoke", prefix)
    assert result.exit_code == 0, result.output
    assert f"ck_{prefix}" in result.output
    assert secret not in result.output
    refused = _as_key(client, code, secret)
    unknown = _as_key(client, code, f"ck_{prefix[::-1]}x_" + "x" * 43)
    assert refused.status_code == unknown.status_code == 401
    assert refused.json() == unknown.json()
    assert (
        client.post("/api/v1/bookings", json={}, headers={"X-API-Key": secret}).status_code == 401
    )


def test_a_key_is_revoked_by_its_id_and_listed_without_its_secret(
    client: TestClient, session: Session
) -> None:
    """`keys revoke ID` works as well; `keys list` shows it revoked, and no secret."""
    code, secret = _key_of_the_dossiers_center(client, session)
    key_id = session.scalar(select(ApiKey.id).where(ApiKey.prefix == secret.split("_")[1]))
    assert _courier("keys", "revoke", str(key_id)).exit_code == 0
    assert _as_key(client, code, secret).status_code == 401
    listed = _courier("keys", "list")
    assert f"{key_id}\tck_{secret.split('_')[1]}\tone-door system" in listed.output
    assert "revoked" in listed.output
    assert secret not in listed.output


def test_revoking_twice_or_an_unknown_key_says_so_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    """A second revocation and an unknown key exit 1 with a clear error; other keys still work."""
    _code, secret = _key_of_the_dossiers_center(client, session)
    _, other = accounts.create_api_key(session, name="other", site_id=1)
    session.commit()
    prefix = secret.split("_")[1]
    assert _courier("keys", "revoke", prefix).exit_code == 0
    assert "already revoked" in _refused("keys", "revoke", prefix)
    assert "no API key" in _refused("keys", "revoke", "ffffffff")
    active = session.scalars(select(ApiKey.prefix).where(ApiKey.active)).all()
    assert other.split("_")[1] in active
    assert prefix not in active


def _device_login(client: TestClient) -> Any:
    form = {"username": COURIER, "password": data.COURIER_PASSWORD, "device_name": "Redmi 9A"}
    return client.post("/api/v1/auth/device", data=form)


def test_a_deactivated_courier_is_out_through_every_door(
    client: TestClient, session: Session
) -> None:
    """Their access token and phone session are refused at once (401), the token endpoint and
    `/auth/device` refuse the right password; their record stays."""
    phone = _device_login(client).json()
    bearer = {"Authorization": f"Bearer {phone['access_token']}"}
    assert client.get("/api/v1/couriers/me", headers=bearer).status_code == 200
    result = _courier("users", "deactivate", COURIER)
    assert result.exit_code == 0, result.output
    assert "1 phone(s) signed out" in result.output
    assert client.get("/api/v1/couriers/me", headers=bearer).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert refresh.status_code == 401
    form = {"username": COURIER, "password": data.COURIER_PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 401
    assert _device_login(client).status_code == 401
    assert session.scalar(select(func.count()).select_from(User).where(User.username == COURIER))


def test_a_deactivated_citizen_loses_their_web_session_and_cannot_sign_in(
    client: TestClient, session: Session
) -> None:
    """The citizen sign-in form refuses them and the cookie they hold no longer opens /me;
    their dossiers stay."""
    user, password = CITIZEN
    form = {"username": user, "password": password}
    signed = client.post("/me/login", data=form, headers=SAME_SITE, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    code = book(client)["tracking_code"]
    client.post("/api/v1/bookings", json=booking_body(), headers=headers_for(session, user))
    assert 'action="/me/logout"' in client.get("/me").text
    dossiers = session.scalar(select(func.count()).select_from(Dossier))
    assert _courier("users", "deactivate", user).exit_code == 0
    page = client.get("/me")
    assert 'action="/me/logout"' not in page.text
    assert 'action="/me/login"' in page.text
    client.cookies.clear()
    again = client.post("/me/login", data=form, headers=SAME_SITE, follow_redirects=False)
    assert again.status_code == 401
    assert "set-cookie" not in again.headers
    assert session.scalar(select(func.count()).select_from(Dossier)) == dossiers
    assert session.scalar(select(Dossier.id).where(Dossier.tracking_code == code)) is not None


def test_deactivated_staff_cannot_use_their_screen_or_sign_in_again(
    client: TestClient, session: Session
) -> None:
    """A dispatcher's open screen is closed and the staff sign-in form refuses them."""
    form = {"username": "dispatch.tdm", "password": "demo-dispatch-2026"}
    signed = client.post("/dispatch/login", data=form, headers=SAME_SITE, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    login_form = 'action="/dispatch/login"'
    assert login_form not in client.get("/dispatch/").text
    assert _courier("users", "deactivate", "dispatch.tdm").exit_code == 0
    assert login_form in client.get("/dispatch/").text
    client.cookies.clear()
    again = client.post("/dispatch/login", data=form, headers=SAME_SITE, follow_redirects=False)
    assert again.status_code == 401


def test_reactivation_lets_the_account_sign_in_but_not_its_old_phones(
    client: TestClient, session: Session
) -> None:
    """Reactivated, the courier signs in again; the phone signed out stays signed out."""
    phone = _device_login(client).json()
    assert _courier("users", "deactivate", COURIER).exit_code == 0
    assert _courier("users", "reactivate", COURIER).exit_code == 0
    assert _device_login(client).status_code == 200
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert refresh.status_code == 401
    assert refresh.json()["code"] == "device_revoked"
    revoked = session.scalar(select(DeviceSession).where(DeviceSession.id == phone["device_id"]))
    assert revoked is not None
    assert revoked.revoke_reason == "account deactivated"


def test_deactivating_twice_or_an_unknown_user_says_so_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    """A second deactivation, an unknown name, reactivating an active user: exit 1, clear error."""
    assert _courier("users", "deactivate", COURIER).exit_code == 0
    assert "already deactivated" in _refused("users", "deactivate", COURIER)
    assert "no user nobody" in _refused("users", "deactivate", "nobody")
    assert "is active" in _refused("users", "reactivate", "admin")
    headers = headers_for(session, "admin")
    assert client.get("/api/v1/couriers", headers=headers).status_code == 200
