"""Who may list and export dossiers, and which: the matrix of tests/api/test_authorization.py.

The dossier under test (booked by ``citizen.an`` for the Thu Dau Mot branch, its pickup given to a
Thu Dau Mot courier) is listed with its personal data for the branch's staff and API key, the Thu
Dau Mot dispatcher and admins; the other site's staff and key and the other office's dispatcher
get a list without it (their filters only narrow their own scope, so naming the branch gives an
empty list, not a 403); couriers, citizens and enterprises (and their keys) get 403; no
credentials, 401.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.test_authorization import ACTORS, PERSONAL, _world

LISTED = frozenset({"staff_receiving_site", "api_key_site", "dispatcher", "admin"})
OTHER_SCOPE = frozenset({"staff_other_site", "api_key_other_site", "dispatcher_other_office"})
REFUSED = {"anonymous": 401}


def _expected_status(actor: str) -> int:
    return 200 if actor in LISTED | OTHER_SCOPE else REFUSED.get(actor, 403)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", ["/api/v1/dossiers", "/api/v1/dossiers.csv"])
def test_the_list_shows_a_dossier_only_to_those_it_concerns(
    client: TestClient, session: Session, actor: str, path: str
) -> None:
    """Listed (with name, phone and address) for its site, office and admins; empty for the
    other site and office, even when they name its site; 403/401 for everyone else."""
    w = _world(client, session)
    for params in ({"q": w.code}, {"q": w.code, "site": "BD-TDM", "post_office": "BD-PO-TDM-1"}):
        response = client.get(path, params=params, headers=w.headers[actor])
        assert response.status_code == _expected_status(actor), response.text
        assert (w.code in response.text) is (actor in LISTED)
        assert [s in response.text for s in PERSONAL] == [actor in LISTED] * len(PERSONAL)
