"""The access log of `courier serve` never holds a phone's digits from a URL."""

import logging
from pathlib import Path

from api.accesslog import RedactQuery, redact
from tests.conftest import committed_database
from tests.faults.serving import call, served

DIGITS = "4821"


def test_the_access_log_of_courier_serve_holds_no_phone_digits(tmp_path: Path) -> None:
    """The deprecated GET with `?phone=` is logged with the digits redacted, whatever the case
    or percent-encoding of the name (the app reads `ph%6Fne` as `phone`); other query values
    stay, so the log still says what was asked."""
    targets = [
        f"/api/v1/track/HS000000005VN?phone={DIGITS}",
        f"/api/v1/dossiers/HS000000005VN/custody?lang=vi&PHONE={DIGITS}",
        f"/api/v1/track/HS000000005VN?ph%6Fne={DIGITS}",
    ]
    with committed_database("sqlite", tmp_path) as url, served(url, tmp_path) as app:
        for target in targets:
            call(app.base, "GET", target)
        assert call(app.base, "GET", "/track?code=HS000000005VN")[0] == 200
    log = app.log.read_text()
    assert DIGITS not in log
    assert '"GET /api/v1/track/HS000000005VN?phone=[redacted] HTTP/1.1" 404' in log
    assert "?lang=vi&PHONE=[redacted]" in log
    assert "/track?code=HS000000005VN" in log


def test_a_record_keeps_its_shape() -> None:
    """The filter rewrites the target among uvicorn's arguments and leaves the rest alone."""
    args = ("203.0.113.7:5123", "GET", f"/api/v1/track/X?phone={DIGITS}&lang=en", "1.1", 200)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None
    )
    assert RedactQuery().filter(record)
    assert record.getMessage() == (
        '203.0.113.7:5123 - "GET /api/v1/track/X?phone=[redacted]&lang=en HTTP/1.1" 200'
    )
    assert redact("/track?phone") == "/track?phone"
    assert redact("/track") == "/track"


def test_the_token_of_a_data_copy_link_is_not_logged() -> None:
    """The SMS link to a citizen's data copy opens their personal data for half an hour: its
    token is redacted on the page, the API and their downloads, the rest of the target kept."""
    token = "1765100000-Zm9vYmFyYmF6cXV4"
    for target, logged in (
        (f"/track/HS1VN/copy/{token}", "/track/HS1VN/copy/[redacted]"),
        (f"/track/HS1VN/copy/{token}/data.pdf", "/track/HS1VN/copy/[redacted]/data.pdf"),
        (
            f"/api/v1/track/HS1VN/copy/{token}.pdf?lang=en",
            "/api/v1/track/HS1VN/copy/[redacted]?lang=en",
        ),
    ):
        args = ("203.0.113.7:5123", "GET", target, "1.1", 200)
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None
        )
        assert RedactQuery().filter(record)
        assert token not in record.getMessage()
        assert f"GET {logged} HTTP" in record.getMessage()
