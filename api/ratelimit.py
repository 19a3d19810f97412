"""Rate limits of the public endpoints: per client address (moving window, `limits` library) and
bookings per phone number and data-copy links per dossier (counted in the database, so the caps
hold across processes).

A client is an IPv4 address or an IPv6 /64: one subscriber line is given a whole /64, so counting
each /128 would let one client spread its guesses over 2^64 buckets.
"""

import ipaddress
from datetime import datetime, timedelta

from fastapi import Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.orm import Session

from api import i18n
from api.i18n import mark
from courier.db import utcnow
from courier.dossiers import booking
from courier.notifications import service as notifications
from courier.settings import Settings

_TOO_MANY = mark("Too many requests; please try again in %(wait)s.")
_PHONE_FULL = mark(
    "This phone number has reached its daily limit of bookings (%(count)s in the last 24 "
    "hours); please try again in %(wait)s or call the center."
)
_COPY_LINKS_FULL = mark(
    "A download link was already sent to this dossier's phone %(count)s times in the last 24 "
    "hours, the most we send; please use one of them or try again in %(wait)s."
)
COPY_LINKS_PER_DAY = 3
# a wait in words: (one, more than one), minutes under an hour, else whole hours
_MINUTES = (mark("1 minute"), mark("%(n)s minutes"))
_HOURS = (mark("1 hour"), mark("%(n)s hours"))
DAY = timedelta(hours=24)


class TooManyRequests(Exception):
    """A limit is used up; `message` is a catalogue id with `%(wait)s` (and maybe `%(count)s`)."""

    def __init__(self, retry_after_s: int, message: str = _TOO_MANY, count: int = 0) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, retry_after_s)
        self.message = message
        self.count = count

    def text(self, lang: str) -> str:
        """The refusal in the language, the wait rounded up to whole minutes (hours from 60)."""
        minutes = -(-self.retry_after_s // 60)
        n, forms = (minutes, _MINUTES) if minutes < 60 else (-(-minutes // 60), _HOURS)
        wait = i18n.gettext(lang, forms[n != 1]) % {"n": n}
        return i18n.gettext(lang, self.message) % {"wait": wait, "count": self.count}


def client_address(request: Request) -> str:
    """Who the limits count the request against: its IPv4 address, or its IPv6 /64."""
    host = request.client.host if request.client else ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class RateLimit:
    """A limit such as '30/minute' per client address, checked as a dependency."""

    def __init__(self, limit: str, storage_uri: str, scope: str = "track") -> None:
        self.item = parse(limit)
        self.scope = scope
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def __call__(self, request: Request) -> None:
        """Raise `TooManyRequests` once the client has used up its window."""
        client = client_address(request)
        if not self.limiter.hit(self.item, self.scope, client):
            reset_at, _ = self.limiter.get_window_stats(self.item, self.scope, client)
            raise TooManyRequests(round(reset_at - utcnow().timestamp()))


def public_limit(request: Request) -> None:
    """The app's limit for the public tracking endpoints."""
    limiter: RateLimit = request.app.state.track_limit
    limiter(request)


def check_booking(request: Request, session: Session, phone: str) -> None:
    """An anonymous booking: within the client's limit and the phone's daily cap, else
    `TooManyRequests` (the API answers 429; a page can catch it and say so itself)."""
    limiter: RateLimit = request.app.state.booking_limit
    limiter(request)
    settings: Settings = request.app.state.settings
    now = utcnow()
    recent = booking.booked_since(session, phone, now - DAY)
    _within_day(recent, settings.bookings_per_phone_per_day, now, _PHONE_FULL)


def check_copy_links(session: Session, dossier_id: int) -> None:
    """At most `COPY_LINKS_PER_DAY` data-copy SMS to a dossier's phone in 24 hours, whoever asks
    (else `TooManyRequests`): the digits do not let anyone flood a citizen with messages."""
    now = utcnow()
    recent = notifications.copy_links_since(session, dossier_id, now - DAY)
    _within_day(recent, COPY_LINKS_PER_DAY, now, _COPY_LINKS_FULL)


def _within_day(recent: list[datetime], cap: int, now: datetime, message: str) -> None:
    if len(recent) >= cap:
        # free again when the one that brings the count under the cap leaves the window
        frees_at = recent[len(recent) - cap] + DAY
        wait_s = int((frees_at - now).total_seconds()) + 1
        raise TooManyRequests(wait_s, message, count=len(recent))
