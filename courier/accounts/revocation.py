"""Taking access away at once: an API key revoked, an account deactivated (and back).

Nothing is deleted: the key's row and the account's data stay for the record; every request
re-reads them (`service.actor_from_api_key`, `service.active_user`), so the next one is refused.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from courier.accounts import devices
from courier.accounts.models import ApiKey, DeviceSession, User
from courier.db import MAX_ID
from courier.errors import Conflict, NotFound
from courier.text import mark

DEACTIVATED = mark("account deactivated")


class ApiKeyNotFound(NotFound):
    """No API key with that id or prefix."""


class UserNotFound(NotFound):
    """No account with that username."""


def api_keys(session: Session) -> list[ApiKey]:
    """Every API key, oldest first (their secrets are not stored, only digests)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def find_api_key(session: Session, ref: str) -> ApiKey:
    """The key whose prefix (the 8 characters after `ck_`) or id is `ref`; a `ref` that is one
    key's prefix and another's id names neither."""
    ref = ref.strip()
    wanted = ApiKey.prefix == ref
    if ref.isascii() and ref.isdigit() and len(ref) <= len(str(MAX_ID)) and int(ref) <= MAX_ID:
        wanted = or_(wanted, ApiKey.id == int(ref))
    found = list(session.scalars(select(ApiKey).where(wanted)))
    if not found:
        raise ApiKeyNotFound(f"no API key with id or prefix {ref!r}")
    if len(found) > 1:
        raise Conflict(f"{ref!r} is one key's id and another's prefix; give the prefix")
    return found[0]


def revoke_api_key(session: Session, ref: str) -> ApiKey:
    """Revoke the key at once (its next request is refused like an unknown key); a key
    already revoked is `Conflict` and stays as it was."""
    key = find_api_key(session, ref)
    if not key.active:
        raise Conflict(f"API key {key.id} ({key.prefix}) was already revoked")
    key.active = False
    session.flush()
    return key


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserNotFound(f"no user {username}")
    return user


def deactivate_user(session: Session, username: str) -> tuple[User, int]:
    """Shut the account out at once: it cannot sign in, its access tokens stop working and its
    phones are signed out (the count is returned); its data stays. Twice is `Conflict`."""
    user = _user(session, username)
    if not user.active:
        raise Conflict(f"user {username} is already deactivated")
    user.active = False
    live = session.scalars(
        select(DeviceSession).where(
            DeviceSession.user_id == user.id, DeviceSession.revoked_at.is_(None)
        )
    ).all()
    for device in live:
        devices.revoke_device(device, None, DEACTIVATED)
    session.flush()
    return user, len(live)


def reactivate_user(session: Session, username: str) -> User:
    """Let the account sign in again (its phones sign in anew); an active one is `Conflict`."""
    user = _user(session, username)
    if user.active:
        raise Conflict(f"user {username} is active")
    user.active = True
    session.flush()
    return user
