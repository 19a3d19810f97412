"""Who may open the center report and its PDF: admins every center, a center's staff their own
only (another center answers as an unknown one does); citizens, enterprises, couriers and
dispatchers holding a staff cookie are refused; a stranger gets the sign-in form. No applicant's
name ever shows: the report holds figures only."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.api.center_staff import as_staff
from tests.api.test_center_report_pages import served_world

JUNE = {"month": "2026-06"}
APPLICANT = "Trần Thị Thống Kê".encode()  # every dossier of the world is hers
READERS = {
    # account: the centers it may read
    "admin": {"BD-TDM", "BD-TA", ""},
    "center.tdm": {"BD-TDM"},
    "center.thuanan": {"BD-TA"},
}
REFUSED = ["citizen.an", "enterprise.minhphat", "bd-cr-tdm-01", "dispatch.tdm", "dispatch.da"]
PATHS = ["/center/report", "/center/report.pdf"]


@pytest.fixture(scope="module")
def reports(engine: Engine) -> Iterator[tuple[TestClient, Session]]:
    """June's world, served, for the module."""
    with served_world(engine) as served:
        yield served


def _status(
    reports: tuple[TestClient, Session], who: str | None, path: str, site: str
) -> tuple[int, bytes]:
    client = as_staff(*reports, who)
    answer = client.get(path, params={"site": site, **JUNE} if site else JUNE)
    client.cookies.clear()
    return answer.status_code, answer.content


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("site", ["BD-TDM", "BD-TA", ""])
@pytest.mark.parametrize("who", list(READERS))
def test_staff_and_admins_read_only_their_centers(
    reports: tuple[TestClient, Session], who: str, site: str, path: str
) -> None:
    """200 for a center the account may read (staff: no code means their own), else 404."""
    status, body = _status(reports, who, path, site)
    allowed = site in READERS[who] or (site == "" and who != "admin")
    assert status == (200 if allowed else 404)
    assert APPLICANT not in body


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("who", REFUSED)
def test_other_accounts_are_refused(
    reports: tuple[TestClient, Session], who: str, path: str
) -> None:
    """A staff cookie of a citizen, an enterprise, a courier or a dispatcher: 403, no figures."""
    status, body = _status(reports, who, path, "BD-TDM")
    assert status == 403
    assert b"count-received" not in body
    assert not body.startswith(b"%PDF")


@pytest.mark.parametrize("path", PATHS)
def test_a_stranger_gets_the_sign_in_form(reports: tuple[TestClient, Session], path: str) -> None:
    """No cookie: the staff sign-in form, no figures."""
    status, body = _status(reports, None, path, "BD-TDM")
    assert status == 200
    assert b'action="/center/login"' in body
    assert b"count-received" not in body
