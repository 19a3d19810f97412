"""Web sign-in for citizen and enterprise accounts: a signed session cookie, and a CSRF check.

The cookie holds the user id, an expiry and an HMAC of both with the service's secret (HttpOnly,
SameSite=Strict, Secure behind https). Each request re-reads the account, so a disabled account is
out at once. Every POST of a signed-in page also checks that its Origin (or Referer) is this site.
"""

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.actors import Actor
from courier.errors import NotAuthenticated
from courier.settings import Settings

COOKIE = "account"
# staff sign in to their screens (center, dispatch) with a cookie of their own: /me never reads it
STAFF_COOKIE = "staff"
TTL_S = 4 * 3600


class ForeignOrigin(Exception):
    """A state-changing request that did not come from one of this site's own pages."""


def _signature(settings: Settings, user_id: int, expires: int, cookie: str = COOKIE) -> str:
    message = f"{cookie}-session|{user_id}|{expires}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def sign_in(response: Response, settings: Settings, user_id: int, cookie: str = COOKIE) -> None:
    """Keep the account signed in in this browser for the next few hours."""
    expires = int(time.time()) + TTL_S
    response.set_cookie(
        cookie,
        f"{user_id}.{expires}.{_signature(settings, user_id, expires, cookie)}",
        max_age=TTL_S,
        httponly=True,
        samesite="strict",
        secure=settings.public_base_url.startswith("https://"),
    )


def sign_out(response: Response, cookie: str = COOKIE) -> None:
    """Forget the account in this browser."""
    response.delete_cookie(cookie, httponly=True, samesite="strict")


def signed_in_user_id(
    connection: HTTPConnection, settings: Settings, cookie: str = COOKIE
) -> int | None:
    """The account id of a genuine, unexpired session cookie."""
    value = connection.cookies.get(cookie, "")
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    user_id, expires = int(parts[0]), int(parts[1])
    if expires < time.time():
        return None
    expected = _signature(settings, user_id, expires, cookie)
    return user_id if hmac.compare_digest(parts[2], expected) else None


def signed_in_user(
    connection: HTTPConnection, session: Session, settings: Settings, cookie: str = COOKIE
) -> User | None:
    """The active account of a genuine session cookie, or None."""
    user_id = signed_in_user_id(connection, settings, cookie)
    if user_id is None:
        return None
    try:
        return accounts.active_user(session, user_id)
    except NotAuthenticated:
        return None


def signed_in_actor(
    connection: HTTPConnection, session: Session, settings: Settings
) -> Actor | None:
    """The signed-in account as an actor (for booking: `booking.book(..., actor)`), or None."""
    user = signed_in_user(connection, session, settings)
    return accounts.actor_for_user(session, user) if user else None


def _origin(value: str) -> str:
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def check_origin(request: Request, settings: Settings) -> None:
    """Refuse a POST whose Origin (or, lacking it, Referer) is not this site (CSRF)."""
    sent = request.headers.get("origin") or _origin(request.headers.get("referer", ""))
    if not sent or sent == "null":
        raise ForeignOrigin("no Origin or Referer")
    sent = sent.lower()
    host = request.headers.get("host", "").lower()
    if urlsplit(sent).netloc != host and sent != _origin(settings.public_base_url):
        raise ForeignOrigin(f"foreign origin {sent[:100]}")
