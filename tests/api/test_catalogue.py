"""The public catalogue that booking uses: procedures and sites."""

import pytest
from fastapi.testclient import TestClient


def _codes(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/v1/procedures", params={"q": q})
    assert response.status_code == 200, response.text
    return [p["code"] for p in response.json()]


def test_all_procedures_are_listed_with_documents(client: TestClient) -> None:
    """Without a query, at least 30 procedures come back, each with its required documents."""
    procedures = client.get("/api/v1/procedures").json()
    assert len(procedures) >= 30
    assert all(p["documents"] for p in procedures)
    assert {d["form"] for p in procedures for d in p["documents"]} == {"original", "copy"}


def test_procedure_search_by_code(client: TestClient) -> None:
    """Searching a code finds that procedure, whatever its case."""
    assert _codes(client, "ht-01") == ["HT-01"]


@pytest.mark.parametrize(
    "query", ["khai sinh", "Đăng ký khai sinh", "đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH"]
)
def test_procedure_search_by_vietnamese_name(client: TestClient, query: str) -> None:
    """A Vietnamese name, in any case and with its diacritics, finds the birth registration."""
    assert "HT-01" in _codes(client, query)


def test_procedure_search_without_diacritics(client: TestClient) -> None:
    """Citizens typing without diacritics ("dang ky khai sinh") still find the procedure."""
    assert "HT-01" in _codes(client, "dang ky khai sinh")


def test_procedure_search_by_english_name(client: TestClient) -> None:
    """The English name finds the procedure too."""
    assert _codes(client, "birth registration") == ["HT-01"]


def test_procedure_search_with_no_match_is_empty(client: TestClient) -> None:
    """A query matching nothing answers an empty list, not an error."""
    assert _codes(client, "zzzz-nothing") == []


def test_sites_list_every_kind_with_opening_hours(client: TestClient) -> None:
    """Sites include the center, branches, reception points and post offices, with hours."""
    sites = client.get("/api/v1/sites").json()
    assert {s["kind"] for s in sites} == {
        "provincial_center",
        "branch",
        "reception_point",
        "post_office",
    }
    assert all("Mon-Fri" in s["opening_hours"] for s in sites)
    branches = client.get("/api/v1/sites", params={"kind": "branch"}).json()
    assert len(branches) == 9
    assert {s["kind"] for s in branches} == {"branch"}
