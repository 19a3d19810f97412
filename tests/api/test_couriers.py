"""The courier roster: dispatchers and admins see it, nobody else does."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import courier_id, headers_for


def test_a_dispatcher_finds_the_courier_to_assign(client: TestClient, session: Session) -> None:
    """The roster gives each courier's id, post office, shift and capacity."""
    roster = client.get("/api/v1/couriers", headers=headers_for(session, "dispatch.tdm"))
    assert roster.status_code == 200
    found = next(c for c in roster.json() if c["code"] == "BD-CR-TDM-01")
    assert found["id"] == courier_id(session, "BD-CR-TDM-01")
    assert found["post_office_code"] == "BD-PO-TDM-1"
    assert found["capacity"] > 0


def test_the_roster_of_one_post_office(client: TestClient, session: Session) -> None:
    """With post_office=CODE only that office's couriers are listed."""
    roster = client.get(
        "/api/v1/couriers",
        params={"post_office": "BD-PO-DA-1"},
        headers=headers_for(session, "dispatch.da"),
    ).json()
    assert roster
    assert {c["post_office_code"] for c in roster} == {"BD-PO-DA-1"}


@pytest.mark.parametrize(
    ("who", "status"), [("bd-cr-tdm-01", 403), ("center.tdm", 403), ("citizen.an", 403)]
)
def test_others_cannot_read_the_roster(
    client: TestClient, session: Session, who: str, status: int
) -> None:
    """Couriers, center staff and citizens are refused the couriers' names and phones."""
    response = client.get("/api/v1/couriers", headers=headers_for(session, who))
    assert response.status_code == status
    assert "BD-CR-TDM" not in response.text


def test_the_roster_needs_an_account(client: TestClient) -> None:
    """Without a token the roster answers 401."""
    assert client.get("/api/v1/couriers").status_code == 401
