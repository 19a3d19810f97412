"""The statistics endpoints over HTTP: what the services write is counted; periods are checked."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from courier import calendar
from tests.builders import HO_CHI_MINH, STAFF_TDM, book, headers_for, post_ok, to_center


def _around_today() -> dict[str, str]:
    today = calendar.local_today(datetime.now(UTC), HO_CHI_MINH)
    return {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}


def test_a_dossier_taken_through_the_services_is_counted(
    client: TestClient, session: Session
) -> None:
    """Picked up (before its slot: the booking is for the next working day) and received today:
    one received, arrival on time, pickup not in the slot; the result made ready today."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    staff = headers_for(session, STAFF_TDM)
    post_ok(client, f"/api/v1/dossiers/{code}/result-ready", staff)
    response = client.get("/api/v1/stats/sites/BD-TDM", params=_around_today(), headers=staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["received"], body["returned"]) == (1, 0)
    assert body["arrival"] == {"on_time": 1, "total": 1, "rate": 1.0}
    assert body["pickup"] == {"on_time": 0, "total": 1, "rate": 0.0}
    assert body["average_days"]["received_to_result_ready"] is not None


def test_a_period_beyond_366_days_is_refused(client: TestClient, session: Session) -> None:
    """422 naming the period; from/to are required dates."""
    admin = headers_for(session, "admin")
    too_long = {"from": "2025-01-01", "to": "2026-01-02"}
    response = client.get("/api/v1/stats/sites", params=too_long, headers=admin)
    assert response.status_code == 422, response.text
    assert "366" in response.text
    missing = client.get("/api/v1/stats/sites", params={"from": "2025-01-01"}, headers=admin)
    assert missing.status_code == 422


def test_a_reversed_or_too_long_period_names_the_query_parameter(
    client: TestClient, session: Session
) -> None:
    """The period's problems are in the query (loc ["query", "to"]), not in a body."""
    admin = headers_for(session, "admin")
    for period in (
        {"from": "2026-06-30", "to": "2026-06-01"},
        {"from": "2025-01-01", "to": "2026-01-02"},
    ):
        response = client.get("/api/v1/stats/sites", params=period, headers=admin)
        assert response.status_code == 422, response.text
        assert [p["loc"] for p in response.json()["detail"]] == [["query", "to"]]


def test_an_unknown_center_is_not_found(client: TestClient, session: Session) -> None:
    """A post office or a made-up code has no statistics (404) for an admin."""
    admin = headers_for(session, "admin")
    params = _around_today()
    for code in ("BD-PO-TDM-1", "NOPE"):
        response = client.get(f"/api/v1/stats/sites/{code}", params=params, headers=admin)
        assert response.status_code == 404, response.text
