"""Short-lived signed cookies: a browser that proved a dossier's phone suffix sees that dossier.

The suffix never travels in a URL (no access log holds it): the tracking form POSTs it, the
booking form knows it, and the answer sets `dossier_<CODE>` = suffix, expiry and an HMAC of both
with the service's secret. Pages of that dossier (confirmation, slip, tracking, receipts) read
it back; a forged, expired or other dossier's cookie counts as none.
"""

import hashlib
import hmac
import time

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection
from starlette.responses import Response

from courier.dossiers import actions, codes
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound
from courier.settings import Settings

PREFIX = "dossier_"
TTL_S = 30 * 60


def _signature(settings: Settings, code: str, suffix: str, expires: int) -> str:
    message = f"dossier-grant|{code}|{suffix}|{expires}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def grant(response: Response, settings: Settings, code: str, suffix: str) -> None:
    """Let this browser see the dossier for the next half hour."""
    expires = int(time.time()) + TTL_S
    value = f"{suffix}.{expires}.{_signature(settings, code, suffix, expires)}"
    response.set_cookie(
        PREFIX + code,
        value,
        max_age=TTL_S,
        httponly=True,
        samesite="strict",
        secure=settings.public_base_url.startswith("https://"),
    )


def granted_suffix(connection: HTTPConnection, settings: Settings, code: str) -> str | None:
    """The phone suffix this browser proved for the dossier, while its grant lasts."""
    value = connection.cookies.get(PREFIX + code)
    if not value or value.count(".") != 2:
        return None
    suffix, expires, signature = value.split(".")
    if not expires.isdigit() or int(expires) < time.time():
        return None
    expected = _signature(settings, code, suffix, int(expires))
    return suffix if hmac.compare_digest(signature, expected) else None


def granted_dossier(
    connection: HTTPConnection, session: Session, settings: Settings, code: str
) -> Dossier | None:
    """The dossier when this browser holds a live grant whose digits still match it, else None."""
    code = codes.normalise(code)
    suffix = granted_suffix(connection, settings, code) if codes.is_valid(code) else None
    if suffix is None:
        return None
    try:
        return actions.find_public(session, code, suffix)
    except DossierNotFound:
        return None


def revoke(response: Response, code: str) -> None:
    """Forget the dossier in this browser."""
    response.delete_cookie(PREFIX + code)
