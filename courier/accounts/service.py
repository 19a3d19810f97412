"""Passwords (Argon2), short-lived JWT access tokens, API keys, and the actor behind each."""

import hashlib
import hmac
import secrets
from dataclasses import replace
from datetime import timedelta
from functools import cache

import jwt
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.accounts import devices
from courier.accounts.models import ApiKey, DeviceSession, User
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.db import MAX_ID, utcnow
from courier.enums import Role, SiteKind
from courier.errors import Conflict, NotAuthenticated
from courier.fleet.models import Courier
from courier.lockout import service as lockout
from courier.settings import Settings, get_settings
from courier.text import mark

_PROFILES = {"rfc_9106_low_memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(_PROFILES[get_settings().password_hash_profile])


@cache
def _dummy_hash() -> str:
    # verified against when the user is unknown, so both paths cost the same
    return _hasher().hash("not-a-real-password")


ALGORITHM = "HS256"
SITE_ROLES = (Role.CENTER_STAFF, Role.DISPATCHER)


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
    site_code: str | None = None,
) -> User:
    """A new account; center staff must name their site, dispatchers their post office."""
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username} already exists")
    if len(password) < 8:
        raise Conflict("a password has at least 8 characters")
    site_id = _site_for(session, role, site_code)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        full_name=full_name,
        site_id=site_id,
    )
    session.add(user)
    session.flush()
    return user


def _site_for(session: Session, role: Role, site_code: str | None) -> int | None:
    """The id of the account's site; center staff need one, dispatchers a post office."""
    if site_code is None:
        if role in SITE_ROLES:
            raise Conflict(f"a {role.value} account must be bound to a site (--site CODE)")
        return None
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        raise Conflict(f"no site {site_code}")
    if role is Role.DISPATCHER and site.kind is not SiteKind.POST_OFFICE:
        raise Conflict(
            f"a dispatcher is bound to a post office; {site_code} is a {site.kind.value}"
        )
    if role is Role.CENTER_STAFF and site.kind is SiteKind.POST_OFFICE:
        raise Conflict(
            f"center staff are bound to a center or branch; {site_code} is a post office"
        )
    return site.id


WRONG_CREDENTIALS = mark("wrong username or password")


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with these credentials, or `NotAuthenticated`."""
    user = session.scalar(select(User).where(User.username == username, User.active))
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password)
    except (VerifyMismatchError, InvalidHashError):
        raise NotAuthenticated(WRONG_CREDENTIALS) from None
    if user is None:
        raise NotAuthenticated(WRONG_CREDENTIALS)
    return user


SIGN_IN_LOCKED = mark(
    "Too many failed sign-ins for this account or from your connection, so signing in is "
    "paused to keep the account safe. Please try again in %(wait)s."
)


def sign_in(session: Session, username: str, password: str, *, client: str) -> User:
    """`authenticate`, counted against guessing (`courier.lockout`): `LockedOut` whatever the
    password while the username is locked for this client or for everyone, and for a wrong one
    while the client is; a wrong one is counted, which the caller must commit (answer the 401
    rather than raise it)."""
    guard = lockout.Guard("sign-in", "user:" + username, client, SIGN_IN_LOCKED)
    return lockout.guarded(
        session,
        guard,
        lambda: authenticate(session, username, password),
        fails_on=NotAuthenticated,
    )


def issue_token(user: User, settings: Settings, device: DeviceSession | None = None) -> str:
    """A signed access token valid for a few minutes; a phone's names its device session."""
    now = utcnow()
    claims: dict[str, object] = {
        "sub": str(user.id),
        "role": user.role.value,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
    }
    if device is not None:
        claims |= {"sid": device.id, "rtg": devices.generation(device)}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def actor_from_token(session: Session, token: str, settings: Settings) -> Actor:
    """The actor behind a bearer token (re-read from the database, so a disabled user is out);
    a phone's token only while its device session is neither revoked nor expired."""
    try:
        claims = jwt.decode(
            token, settings.secret_key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError:
        raise NotAuthenticated("invalid or expired token") from None
    user = active_user(session, _claimed_id(claims["sub"]))
    if claims.get("sid") is None:
        return actor_for_user(session, user)
    device_id = _claimed_id(claims["sid"])
    devices.check_access(session, device_id, user.id, claims.get("rtg"))
    return replace(actor_for_user(session, user), device_id=device_id)


def _claimed_id(value: object) -> int:
    """An id a token names (`sub` a string of digits, `sid` a number); anything else, or a
    number no id can be, makes the token as bad as a forged one."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        raise NotAuthenticated("invalid or expired token")
    if len(text) > len(str(MAX_ID)) or not 1 <= int(text) <= MAX_ID:
        raise NotAuthenticated("invalid or expired token")
    return int(text)


def active_user(session: Session, user_id: int) -> User:
    """The account if it is still active, or `NotAuthenticated` (a web session is over)."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotAuthenticated("invalid or expired token")
    return user


def actor_for_user(session: Session, user: User) -> Actor:
    """The actor an account acts as, with its courier record when it has one."""
    courier_id = session.scalar(select(Courier.id).where(Courier.user_id == user.id))
    return Actor(
        kind="user",
        id=user.id,
        role=user.role,
        site_id=user.site_id,
        courier_id=courier_id,
        owner_id=user.id,
    )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session, *, name: str, site_id: int | None = None, owner_id: int | None = None
) -> tuple[ApiKey, str]:
    """A new key for a center system (site) or an enterprise (owner); the secret is shown once."""
    if (site_id is None) == (owner_id is None):
        raise Conflict("an API key belongs to exactly one site or one account")
    prefix = secrets.token_hex(4)
    secret = f"ck_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name, prefix=prefix, key_hash=_digest(secret), site_id=site_id, owner_id=owner_id
    )
    session.add(key)
    session.flush()
    return key, secret


def actor_from_api_key(session: Session, secret: str) -> Actor:
    """The actor behind an API key, or `NotAuthenticated`."""
    parts = secret.split("_")
    key = None
    if len(parts) >= 3 and parts[0] == "ck":
        key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1], ApiKey.active))
    if key is None or not hmac.compare_digest(key.key_hash, _digest(secret)):
        raise NotAuthenticated("invalid API key")
    return Actor(kind="api_key", id=key.id, site_id=key.site_id, owner_id=key.owner_id)
