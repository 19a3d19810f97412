"""Device sessions: a phone stays signed in for days with a refresh token rotated on each use.

The token is `rt_<session id>_<secret>`; only its SHA-256 is stored, with the previous one's.
The previous token presented again while the current one was never used means the phone missed
the last answer (a weak signal): it gets a fresh pair. Presented after the current pair was used
(an access token issued with it reached the server), it was copied: the session is revoked.
A dispatcher or an admin revokes a lost phone; the phone is then told who did and why.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from courier.accounts.models import DeviceSession, User
from courier.actors import Actor
from courier.db import utcnow
from courier.enums import Role
from courier.errors import NotAuthenticated, NotFound, PermissionDenied
from courier.fleet.models import Courier
from courier.settings import Settings
from courier.text import mark

PREFIX = "rt"
# the part of the refresh token's digest an access token carries: using it proves the pair arrived
GENERATION_CHARS = 16
LIST_LIMIT = 500

REVOKED_BY = mark(
    "This phone was signed out by %(who)s: %(reason)s. Ask your dispatcher, then sign in again."
)
REVOKED_BY_SYSTEM = mark(
    "This phone was signed out by the system: %(reason)s. Ask your dispatcher, then sign in again."
)
EXPIRED = mark("This phone's sign-in has expired. Sign in again.")
INVALID = mark("This sign-in is no longer valid. Sign in again.")
REUSED = mark("refresh token reused")


class DeviceRevoked(NotAuthenticated):
    """The phone's session was revoked (by someone, or on a reused refresh token)."""


class DeviceExpired(NotAuthenticated):
    """The phone's session ran out: it was not used for too long, or reached its cap."""


class DeviceSessionNotFound(NotFound):
    """No device session with that id visible to the caller."""


@dataclass(frozen=True, slots=True)
class DeviceView:
    """A device session with the courier code of its account (None for other accounts)."""

    device: DeviceSession
    courier_code: str | None


def digest(token: str) -> str:
    """The SHA-256 (hex) that is stored of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()


def generation(device: DeviceSession) -> str:
    """The mark of the current token pair, carried by the access tokens issued with it."""
    return device.refresh_hash[:GENERATION_CHARS]


def _new_token(device: DeviceSession) -> str:
    token = f"{PREFIX}_{device.id}_{secrets.token_urlsafe(32)}"
    device.refresh_hash = digest(token)
    device.current_used = False
    return token


def _slide(device: DeviceSession, now: datetime, settings: Settings) -> None:
    device.last_used_at = now
    device.expires_at = min(
        now + timedelta(days=settings.device_session_days),
        device.created_at + timedelta(days=settings.device_session_max_days),
    )


def open_session(
    session: Session, user: User, *, name: str, settings: Settings
) -> tuple[DeviceSession, str]:
    """A new device session for the signed-in user; its first refresh token (shown once)."""
    now = utcnow()
    device = DeviceSession(
        user_id=user.id, name=name[:100], refresh_hash="", created_at=now, expires_at=now
    )
    _slide(device, now, settings)
    session.add(device)
    session.flush()
    token = _new_token(device)
    session.flush()
    return device, token


def refresh(session: Session, token: str, settings: Settings) -> tuple[DeviceSession, str]:
    """A new refresh token for the presented one (rotation), the session's expiry slid on.

    A reused old token revokes the session: the caller commits that, then answers 401.
    """
    device = _presented(session, token)
    _check_alive(device, utcnow())
    presented = digest(token)
    if not hmac.compare_digest(presented, device.refresh_hash):
        if device.previous_hash is None or not hmac.compare_digest(presented, device.previous_hash):
            raise NotAuthenticated(INVALID, code="refresh_invalid")
        if device.current_used:
            revoke_device(device, None, REUSED)
            session.flush()
            raise refusal(device)
    else:  # the current token: it becomes the previous one
        device.previous_hash = device.refresh_hash
    new = _new_token(device)
    _slide(device, utcnow(), settings)
    session.flush()
    return device, new


def _presented(session: Session, token: str) -> DeviceSession:
    """The session a well-formed token names, locked against a concurrent refresh."""
    parts = token.split("_", 2)
    device = None
    if len(parts) == 3 and parts[0] == PREFIX and parts[1].isdigit():
        device = session.get(DeviceSession, int(parts[1]), with_for_update=True)
    if device is None or not device.user.active:
        raise NotAuthenticated(INVALID, code="refresh_invalid")
    return device


def _check_alive(device: DeviceSession, now: datetime) -> None:
    if device.revoked_at is not None:
        raise refusal(device)
    if now >= device.expires_at:
        raise DeviceExpired(EXPIRED, code="device_expired")


def refusal(device: DeviceSession) -> DeviceRevoked:
    """Why the revoked phone is refused: who signed it out and why."""
    reason = device.revoke_reason or ""
    revoker = device.revoked_by
    if revoker is None:
        return DeviceRevoked(REVOKED_BY_SYSTEM, code="device_revoked", params={"reason": reason})
    who = revoker.full_name or revoker.username
    return DeviceRevoked(REVOKED_BY, code="device_revoked", params={"who": who, "reason": reason})


def check_access(session: Session, device_id: int, user_id: int, mark_of: object) -> None:
    """An access token's device session is alive; its first use marks the token pair as received."""
    device = session.get(DeviceSession, device_id)
    if device is None or device.user_id != user_id:
        raise NotAuthenticated("invalid or expired token")
    _check_alive(device, utcnow())
    if not device.current_used and mark_of == generation(device):
        device.current_used = True
        session.flush()


def _visible(query: Select[DeviceSession, str], actor: Actor) -> Select[DeviceSession, str]:
    """Admins see every session, a dispatcher their own and their couriers', others their own."""
    if actor.is_admin:
        return query
    if actor.kind != "user" or actor.id is None:
        raise PermissionDenied("device sessions belong to accounts")
    if actor.has_role(Role.DISPATCHER) and actor.site_id is not None:
        couriers = select(Courier.user_id).where(Courier.home_post_office_id == actor.site_id)
        return query.where(
            or_(DeviceSession.user_id == actor.id, DeviceSession.user_id.in_(couriers))
        )
    return query.where(DeviceSession.user_id == actor.id)


def _views() -> Select[DeviceSession, str]:
    return (
        select(DeviceSession, Courier.code)
        .outerjoin(Courier, Courier.user_id == DeviceSession.user_id)
        .options(joinedload(DeviceSession.user), joinedload(DeviceSession.revoked_by))
    )


def list_sessions(
    session: Session, actor: Actor, *, user_id: int | None = None
) -> list[DeviceView]:
    """The device sessions the actor may see (of one account if asked), newest first."""
    query = _visible(_views(), actor)
    if user_id is not None:
        query = query.where(DeviceSession.user_id == user_id)
    query = query.order_by(DeviceSession.created_at.desc(), DeviceSession.id.desc())
    return [DeviceView(d, code) for d, code in session.execute(query.limit(LIST_LIMIT)).all()]


def revoke(session: Session, device_id: int, actor: Actor, *, reason: str) -> DeviceView:
    """Sign a phone out (a lost phone, a courier leaving); revoking it again answers it unchanged."""
    row = session.execute(
        _visible(_views(), actor).where(DeviceSession.id == device_id)
    ).one_or_none()
    if row is None:
        raise DeviceSessionNotFound(f"no device session {device_id}")
    device, code = row
    if device.revoked_at is None:
        revoker = session.get(User, actor.id) if actor.kind == "user" and actor.id else None
        revoke_device(device, revoker, reason)
        session.flush()
    return DeviceView(device, code)


def revoke_device(device: DeviceSession, by: User | None, reason: str) -> None:
    """Mark the session revoked now, by that account (None: the system), for that reason."""
    device.revoked_at = utcnow()
    device.revoked_by = by
    device.revoke_reason = reason[:200]


def is_active(device: DeviceSession, now: datetime) -> bool:
    """Neither revoked nor expired."""
    return device.revoked_at is None and now < device.expires_at
