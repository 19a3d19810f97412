"""Which webhook URLs may be registered: HTTPS to public addresses in production."""

import ipaddress
import socket
from typing import NoReturn
from urllib.parse import urlsplit

from courier.errors import FieldProblem, InvalidInput
from courier.text import mark

_HTTPS_ONLY = mark("The URL must start with https://")
_NOT_A_URL = mark("This is not a web address (http:// or https:// and a host name)")
_PRIVATE = mark("The URL must reach a public address, not a private or local one")
_UNRESOLVED = mark("The URL's host name cannot be resolved")


def check_url(url: str, *, environment: str) -> None:
    """Refuse a URL the service must not post to (`InvalidInput` on the field `url`).

    In production only https:// to hosts whose every address is public (no loopback, private,
    link-local, reserved or multicast address: no request forged into the service's own
    network); elsewhere http:// and local addresses are allowed too, for development and tests.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _refuse(_NOT_A_URL)
    if environment != "production":
        return
    if parts.scheme != "https":
        _refuse(_HTTPS_ONLY)
    addresses = _addresses(parts.hostname or "", parts.port or 443)
    if not addresses:
        _refuse(_UNRESOLVED)
    if not all(ipaddress.ip_address(a).is_global for a in addresses):
        _refuse(_PRIVATE)


def _addresses(host: str, port: int) -> set[str]:
    """Every address the host resolves to (none when it does not resolve)."""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return set()
    return {str(info[4][0]).split("%")[0] for info in found}


def _refuse(message: str) -> NoReturn:
    raise InvalidInput(problems=[FieldProblem(loc=("url",), msg=message)])
