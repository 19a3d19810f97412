"""uvicorn's access log without the phone's digits or the links to a citizen's data copy.

The deprecated `GET /api/v1/track/{code}?phone=1234` (and `/dossiers/{code}/custody?phone=`) put
the applicant's digits in the URL, which uvicorn writes whole to its access log. A filter on the
`uvicorn.access` logger writes every `phone` value as `[redacted]` (the name compared as the app
reads it: percent-decoded, any case), whichever way the server was started. The token of a link
to a data copy (`/track/{code}/copy/{token}`, sent by SMS) opens the citizen's personal data for
half an hour: it is written `[redacted]` too.
"""

import logging
import re
from urllib.parse import unquote_plus

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"
SECRET_PARAMETERS = frozenset({"phone"})
# the token segment of a data copy's link, whatever follows it (".pdf", "/data.json")
COPY_TOKEN = re.compile(r"(/copy/)[^/?#]+", re.IGNORECASE)


def redact(target: str) -> str:
    """The request target with copy tokens and the values of secret query parameters replaced."""
    path, mark, query = target.partition("?")
    path = COPY_TOKEN.sub(rf"\g<1>{REDACTED}", path)
    if not mark:
        return path
    parts = []
    for pair in query.split("&"):
        name, equals, _ = pair.partition("=")
        secret = unquote_plus(name).strip().lower() in SECRET_PARAMETERS
        parts.append(f"{name}{equals}{REDACTED}" if secret and equals else pair)
    return f"{path}?{'&'.join(parts)}"


class RedactQuery(logging.Filter):
    """Rewrites the request target among an access log record's arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, with secret query values redacted."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(arg) if isinstance(arg, str) and ("?" in arg or "/copy/" in arg) else arg
                for arg in record.args
            )
        return True


def install() -> None:
    """Put the filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactQuery) for f in logger.filters):
        logger.addFilter(RedactQuery())
