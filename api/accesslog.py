"""uvicorn's access log without the phone's digits.

The deprecated `GET /api/v1/track/{code}?phone=1234` (and `/dossiers/{code}/custody?phone=`) put
the applicant's digits in the URL, which uvicorn writes whole to its access log. A filter on the
`uvicorn.access` logger writes every `phone` value as `[redacted]` (the name compared as the app
reads it: percent-decoded, any case), whichever way the server was started.
"""

import logging
from urllib.parse import unquote_plus

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"
SECRET_PARAMETERS = frozenset({"phone"})


def redact(target: str) -> str:
    """The request target with the values of secret query parameters replaced."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
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
                redact(arg) if isinstance(arg, str) and "?" in arg else arg for arg in record.args
            )
        return True


def install() -> None:
    """Put the filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactQuery) for f in logger.filters):
        logger.addFilter(RedactQuery())
