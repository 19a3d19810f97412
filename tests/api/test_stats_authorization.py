"""Who may read a center's statistics: admins all, a center's staff and system their own only.

The actors are those of the dossier matrix (`test_authorization`); the world is June 2026 of the
statistics tests (dossiers at BD-TDM and one at BD-TA), so every answer has figures to leak.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from tests.api.test_authorization import ACTORS, _credentials
from tests.conftest import joined_sessions, rolled_back, suite_settings
from tests.courier.stats.test_site_stats import WORLD
from tests.courier.stats.world import make_dossier

JUNE = {"from": "2026-06-01", "to": "2026-06-30"}
OWN_SITE = {
    "admin": None,  # every center
    "staff_receiving_site": "BD-TDM",
    "api_key_site": "BD-TDM",
    "staff_other_site": "BD-TA",
    "api_key_other_site": "BD-TA",
}


@pytest.fixture(scope="module")
def matrix(engine: Engine) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The world and everyone's credentials, on a connection rolled back after the module."""
    with (
        rolled_back(engine) as conn,
        joined_sessions(conn) as made,
        TestClient(create_app(suite_settings(), made)) as client,
        made() as session,
    ):
        for life in WORLD.values():
            make_dossier(session, life)
        headers = _credentials(session)
        session.commit()
        yield client, headers


def _expected(actor: str, allowed: bool) -> int:
    return 200 if allowed else 401 if actor == "anonymous" else 403


@pytest.mark.parametrize("actor", ACTORS)
def test_one_center_only_for_its_staff_its_system_and_admins(
    matrix: tuple[TestClient, dict[str, dict[str, str]]], actor: str
) -> None:
    """BD-TDM's figures: 200 for its clerk, its API key and admins; 401/403 for everyone else."""
    client, headers = matrix
    response = client.get("/api/v1/stats/sites/BD-TDM", params=JUNE, headers=headers[actor])
    allowed = actor in OWN_SITE and OWN_SITE[actor] in (None, "BD-TDM")
    assert response.status_code == _expected(actor, allowed), response.text
    if allowed:
        assert response.json()["received"] == 5


@pytest.mark.parametrize("actor", ACTORS)
def test_the_list_holds_only_the_callers_centers(
    matrix: tuple[TestClient, dict[str, dict[str, str]]], actor: str
) -> None:
    """Admins get every center; a clerk or a center's key their own row; the others are refused."""
    client, headers = matrix
    response = client.get("/api/v1/stats/sites", params=JUNE, headers=headers[actor])
    assert response.status_code == _expected(actor, actor in OWN_SITE), response.text
    if actor not in OWN_SITE:
        return
    rows: list[dict[str, Any]] = response.json()
    codes = [r["site_code"] for r in rows]
    if OWN_SITE[actor] is None:
        assert len(codes) == 28
        assert "BD-TDM" in codes
    else:
        assert codes == [OWN_SITE[actor]]
