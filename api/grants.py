"""Short-lived signed cookies: a browser that proved a dossier's phone suffix sees that dossier.

The suffix never travels in a URL (no access log holds it): the tracking form POSTs it, the
booking form knows it, and the answer sets `dossier_<CODE>` = suffix, expiry and an HMAC of both
with the service's secret. Pages of that dossier (confirmation, slip, tracking, receipts) read
it back; a forged, expired or other dossier's cookie counts as none.

The same signature makes the link to a copy of the citizen's data, sent by SMS to the dossier's
phone (`copy_token`): bound to the dossier and its phone number at the time, valid half an hour.
"""

import hashlib
import hmac
import time

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection
from starlette.responses import Response

from courier.dossiers import actions, codes
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound
from courier.settings import Settings

PREFIX = "dossier_"
TTL_S = 30 * 60


def _signed(settings: Settings, message: str) -> str:
    return hmac.new(settings.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def _signature(settings: Settings, code: str, suffix: str, expires: int) -> str:
    return _signed(settings, f"dossier-grant|{code}|{suffix}|{expires}")


def _copy_signature(settings: Settings, dossier: Dossier, expires: int) -> str:
    # the phone in the message: a link sent before the number changed (or was erased) is void;
    # 128 bits of the signature keep the SMS short
    message = f"data-copy|{dossier.id}|{dossier.applicant_phone}|{expires}"
    return _signed(settings, message)[:32]


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


def copy_token(settings: Settings, dossier: Dossier, *, now: float | None = None) -> str:
    """The token of a link to the dossier's data copy, valid for the next half hour."""
    expires = int(time.time() if now is None else now) + TTL_S
    return f"{expires}-{_copy_signature(settings, dossier, expires)}"


def copy_dossier(session: Session, settings: Settings, code: str, token: str) -> Dossier:
    """The dossier a live copy token was made for; else `DossierNotFound`, as an unknown code."""
    expires, _, signature = token.partition("-")
    dossier = dossiers.find_by_code(session, codes.normalise(code)[:40])
    live = len(expires) <= 12 and expires.isascii() and expires.isdigit()
    live = live and int(expires) >= time.time()
    if dossier is None or not live:
        raise DossierNotFound(actions.NO_SUCH_DOSSIER)
    expected = _copy_signature(settings, dossier, int(expires))
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise DossierNotFound(actions.NO_SUCH_DOSSIER)
    return dossier
