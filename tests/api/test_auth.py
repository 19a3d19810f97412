"""Authentication: the password flow, and every bad credential refused with 401, changing nothing.

A bad credential is never read as anonymity: it is refused even on endpoints open to anonymous
callers. Each bad credential is checked on a read that carries personal data (the owner's dossier)
and on a write (a dispatcher's assignment), against a control showing the good credential works.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
from courier.accounts.models import ApiKey, User
from courier.dossiers.models import Job
from courier.enums import Role
from courier.settings import Settings
from tests.builders import (
    account,
    booking_body,
    counts,
    courier_id,
    find_job,
    headers_for,
    site_id,
)

NAME = "Hoàng Thị Mai Phương"
ADDRESS = "45 Bạch Đằng, phường Phú Cường, Thủ Dầu Một"
PERSONAL = (NAME, ADDRESS, "987654321")


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _claims(session: Session, username: str, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(_user(session, username).id),
        "iat": now,
        "exp": now + timedelta(minutes=15),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _expired(session: Session, settings: Settings, username: str) -> dict[str, str]:
    past = datetime.now(UTC) - timedelta(minutes=16)
    claims = _claims(session, username, iat=past, exp=past + timedelta(minutes=15))
    return _bearer(jwt.encode(claims, settings.secret_key, algorithm="HS256"))


def _other_key(session: Session, settings: Settings, username: str) -> dict[str, str]:
    key = "another-deployment-secret-key-long-enough"
    return _bearer(jwt.encode(_claims(session, username), key, algorithm="HS256"))


def _tampered(session: Session, settings: Settings, username: str) -> dict[str, str]:
    """A genuine token of another account whose payload was rewritten to name `username`."""
    genuine = headers_for(session, "citizen.binh")["Authorization"].removeprefix("Bearer ")
    header, _, signature = genuine.split(".")
    claims = _claims(session, username)
    payload = _b64({**claims, "iat": int(claims["iat"].timestamp()), "exp": 4102444800})
    return _bearer(f"{header}.{payload}.{signature}")


def _unsigned(session: Session, settings: Settings, username: str) -> dict[str, str]:
    claims = _claims(session, username)
    claims = {
        **claims,
        "iat": int(claims["iat"].timestamp()),
        "exp": int(claims["exp"].timestamp()),
    }
    return _bearer(f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.")


def _no_expiry(session: Session, settings: Settings, username: str) -> dict[str, str]:
    claims = _claims(session, username, exp=None)
    return _bearer(jwt.encode(claims, settings.secret_key, algorithm="HS256"))


def _unknown_subject(session: Session, settings: Settings, username: str) -> dict[str, str]:
    claims = _claims(session, username, sub="987654")
    return _bearer(jwt.encode(claims, settings.secret_key, algorithm="HS256"))


def _garbage(session: Session, settings: Settings, username: str) -> dict[str, str]:
    return _bearer("not-a-token")


def _deactivated(session: Session, settings: Settings, username: str) -> dict[str, str]:
    headers = headers_for(session, username)
    session.execute(update(User).where(User.username == username).values(active=False))
    session.commit()
    return headers


def _unknown_key(session: Session, settings: Settings, username: str) -> dict[str, str]:
    return {"X-API-Key": "ck_deadbeef_" + "x" * 43}


def _wrong_secret(session: Session, settings: Settings, username: str) -> dict[str, str]:
    secret = _site_key(session)
    return {"X-API-Key": secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")}


def _revoked_key(session: Session, settings: Settings, username: str) -> dict[str, str]:
    secret = _site_key(session)
    prefix = secret.split("_")[1]
    session.execute(update(ApiKey).where(ApiKey.prefix == prefix).values(active=False))
    session.commit()
    return {"X-API-Key": secret}


def _malformed_key(session: Session, settings: Settings, username: str) -> dict[str, str]:
    return {"X-API-Key": "garbage"}


def _site_key(session: Session) -> str:
    _, secret = accounts.create_api_key(
        session, name="TDM system", site_id=site_id(session, "BD-TDM")
    )
    session.commit()
    return secret


BadCredential = Callable[[Session, Settings, str], dict[str, str]]
BAD: dict[str, BadCredential] = {
    "expired_token": _expired,
    "token_signed_with_another_key": _other_key,
    "tampered_token": _tampered,
    "unsigned_token": _unsigned,
    "token_without_expiry": _no_expiry,
    "token_of_unknown_user": _unknown_subject,
    "garbage_token": _garbage,
    "token_of_deactivated_user": _deactivated,
    "unknown_api_key": _unknown_key,
    "api_key_with_wrong_secret": _wrong_secret,
    "revoked_api_key": _revoked_key,
    "malformed_api_key": _malformed_key,
}


@dataclass
class Booked:
    """A dossier of citizen.an's, with its inbound pickup job."""

    code: str
    pickup_job: int


@pytest.fixture
def booked(client: TestClient, session: Session) -> Booked:
    """citizen.an books a pickup with personal data that must not leak."""
    accounts.create_user(
        session, username="citizen.binh", password="another-citizen-2026", role=Role.CITIZEN
    )
    session.commit()
    body = booking_body(applicant_name=NAME, address_text=ADDRESS, phone="0987 654 321")
    response = client.post(
        "/api/v1/bookings", json=body, headers=headers_for(session, "citizen.an")
    )
    assert response.status_code == 201, response.text
    code = response.json()["tracking_code"]
    dispatcher = headers_for(session, "dispatch.tdm")
    return Booked(code, find_job(client, dispatcher, code, "inbound", "pickup"))


def _assign(client: TestClient, session: Session, job: int, headers: dict[str, str]) -> Any:
    body = {"courier_id": courier_id(session, "BD-CR-TDM-02")}
    return client.post(f"/api/v1/jobs/{job}/assign", json=body, headers=headers)


def _refused(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert not [secret for secret in PERSONAL if secret in response.text]


def test_the_good_credentials_are_accepted(
    client: TestClient, session: Session, booked: Booked
) -> None:
    """Control: the owner reads the dossier, the dispatcher assigns, the site key reads it."""
    owner = client.get(
        f"/api/v1/dossiers/{booked.code}", headers=headers_for(session, "citizen.an")
    )
    key = client.get(f"/api/v1/dossiers/{booked.code}", headers={"X-API-Key": _site_key(session)})
    assigned = _assign(client, session, booked.pickup_job, headers_for(session, "dispatch.tdm"))
    assert [owner.status_code, key.status_code, assigned.status_code] == [200, 200, 200]
    assert NAME in owner.text


@pytest.mark.parametrize("bad", list(BAD))
def test_a_bad_credential_cannot_read_personal_data(
    client: TestClient, session: Session, settings: Settings, booked: Booked, bad: str
) -> None:
    """A bad credential presented for the owner gets 401 and none of the dossier's personal data."""
    headers = BAD[bad](session, settings, "citizen.an")
    _refused(client.get(f"/api/v1/dossiers/{booked.code}", headers=headers))


@pytest.mark.parametrize("bad", list(BAD))
def test_a_bad_credential_changes_nothing(
    client: TestClient, session: Session, settings: Settings, booked: Booked, bad: str
) -> None:
    """A bad credential presented for the dispatcher cannot assign a job: 401, nothing stored."""
    headers = BAD[bad](session, settings, "dispatch.tdm")
    before = counts(session), _pickup_courier(session, booked)
    _refused(_assign(client, session, booked.pickup_job, headers))
    assert (counts(session), _pickup_courier(session, booked)) == before


@pytest.mark.parametrize("bad", ["expired_token", "tampered_token", "revoked_api_key"])
def test_a_bad_credential_is_not_taken_for_anonymity(
    client: TestClient, session: Session, settings: Settings, booked: Booked, bad: str
) -> None:
    """Booking is open to anonymous callers, yet a bad credential is refused and nothing stored."""
    headers = BAD[bad](session, settings, "citizen.an")
    before = counts(session)
    response = client.post("/api/v1/bookings", json=booking_body(), headers=headers)
    assert response.status_code == 401, response.text
    assert counts(session) == before


def _pickup_courier(session: Session, booked: Booked) -> int | None:
    session.expire_all()
    return session.scalar(select(Job.courier_id).where(Job.id == booked.pickup_job))


def _token(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_login_issues_a_short_lived_bearer_token(client: TestClient, settings: Settings) -> None:
    """The right password gets a bearer token that expires after the configured minutes."""
    spec = account("citizen")
    response = _token(client, spec.username, spec.password)
    assert response.status_code == 200, response.text
    answer = response.json()
    claims = jwt.decode(answer["access_token"], settings.secret_key, algorithms=["HS256"])
    assert answer["token_type"] == "bearer"
    assert answer["expires_in"] == settings.access_token_minutes * 60
    assert claims["exp"] - claims["iat"] == settings.access_token_minutes * 60


def test_a_wrong_password_gets_no_token(client: TestClient) -> None:
    """A wrong password is refused with 401 and no token."""
    response = _token(client, account("citizen").username, "not-the-password")
    assert response.status_code == 401
    assert "access_token" not in response.text


def test_an_unknown_user_is_refused_like_a_wrong_password(client: TestClient) -> None:
    """An unknown username answers exactly as a wrong password does (no account enumeration)."""
    wrong = _token(client, account("citizen").username, "not-the-password")
    unknown = _token(client, "nobody.here", "not-the-password")
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())


def test_a_deactivated_user_cannot_log_in(client: TestClient, session: Session) -> None:
    """With the account switched off, even the right password is refused like a wrong one."""
    spec = account("citizen")
    session.execute(update(User).where(User.username == spec.username).values(active=False))
    session.commit()
    response = _token(client, spec.username, spec.password)
    assert response.status_code == 401
    assert "access_token" not in response.text
