"""The staff list of dossiers: each filter, keyset pages, the spreadsheet export.

Each test isolates its own bookings (by code prefix, or by a due date far ahead that no other
dossier has), so the demo province's dossiers never blur the answer.
"""

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.dossiers.models import Dossier, DossierStatus
from tests.builders import (
    assign,
    book,
    courier_id,
    find_job,
    headers_for,
    pick_up,
)

NEAR_DA = {"lat": 10.911, "lon": 106.772, "address_text": "5 Nguyễn An Ninh, phường Dĩ An"}
FAR = date(2099, 1, 5)  # a due date no other dossier has


def _codes(client: TestClient, who: str, session: Session, **params: Any) -> list[str]:
    response = client.get(
        "/api/v1/dossiers", params={"limit": 500, **params}, headers=headers_for(session, who)
    )
    assert response.status_code == 200, response.text
    return [item["tracking_code"] for item in response.json()["items"]]


def _listed(client: TestClient, session: Session, code: str, **params: Any) -> bool:
    """True when the admin's list narrowed to this code (and the filters) shows it."""
    return code in _codes(client, "admin", session, q=code, **params)


def _set(session: Session, code: str, **values: Any) -> None:
    session.execute(update(Dossier).where(Dossier.tracking_code == code).values(**values))
    session.commit()


def test_site_filter_keeps_the_receiving_sites_dossiers(
    client: TestClient, session: Session
) -> None:
    """site=BD-TDM lists a Thu Dau Mot booking; site=BD-DA does not; an unknown code lists none."""
    code = book(client)["tracking_code"]
    assert _listed(client, session, code, site="BD-TDM")
    assert _listed(client, session, code, site="bd-tdm")
    assert not _listed(client, session, code, site="BD-DA")
    assert not _listed(client, session, code, site="NO-SUCH-SITE")


def test_status_filter_is_repeatable(client: TestClient, session: Session) -> None:
    """status=booked&status=picked_up lists both a booked and a picked-up dossier, not others."""
    booked, taken = book(client)["tracking_code"], book(client)["tracking_code"]
    pick_up(client, session, taken)
    both = _codes(client, "admin", session, status=["booked", "picked_up"], q="HS")
    assert {booked, taken} <= set(both)
    assert not _listed(client, session, taken, status="booked")
    assert _listed(client, session, taken, status="picked_up")


def test_procedure_filter(client: TestClient, session: Session) -> None:
    """procedure=HT-01 lists a birth registration; another procedure's code does not."""
    code = book(client)["tracking_code"]
    assert _listed(client, session, code, procedure="HT-01")
    assert not _listed(client, session, code, procedure="HT-02")


def test_due_date_range(client: TestClient, session: Session) -> None:
    """due_from/due_to bound the due date, both ends included; no due date matches no range."""
    code = book(client)["tracking_code"]
    assert not _listed(client, session, code, due_from="2000-01-01")
    _set(session, code, due_on=FAR)
    assert _listed(client, session, code, due_from=FAR.isoformat(), due_to=FAR.isoformat())
    assert not _listed(client, session, code, due_from=(FAR + timedelta(days=1)).isoformat())
    assert not _listed(client, session, code, due_to=(FAR - timedelta(days=1)).isoformat())


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (DossierStatus.PROCESSING, True),
        (DossierStatus.RESULT_READY, True),
        (DossierStatus.DELIVERED, False),
        (DossierStatus.RETURNED_TO_CENTER, False),
        (DossierStatus.CANCELLED, False),
    ],
)
def test_overdue_is_due_before_today_and_not_finished(
    client: TestClient, session: Session, status: DossierStatus, overdue: bool
) -> None:
    """Due yesterday and still open: overdue; delivered, back at the center or cancelled: not."""
    code = book(client)["tracking_code"]
    _set(session, code, status=status, due_on=date.today() - timedelta(days=2))
    assert _listed(client, session, code, overdue=True) is overdue
    _set(session, code, due_on=date.today() + timedelta(days=2))
    assert not _listed(client, session, code, overdue=True)


def test_in_transit_lists_collected_dossiers_on_their_way(
    client: TestClient, session: Session
) -> None:
    """Booked: not in transit; picked up: in transit; received at the center: no longer."""
    code = book(client)["tracking_code"]
    assert not _listed(client, session, code, in_transit=True)
    pick_up(client, session, code)
    assert _listed(client, session, code, in_transit=True, site="BD-TDM")
    _set(session, code, status=DossierStatus.RECEIVED_AT_CENTER)
    assert not _listed(client, session, code, in_transit=True)


def test_courier_filter_is_the_courier_of_an_open_job(client: TestClient, session: Session) -> None:
    """Assigned to BD-CR-TDM-01: listed under that courier, written in any case (the README's
    usernames are lower case), not under BD-CR-TDM-02."""
    code = book(client)["tracking_code"]
    assert not _listed(client, session, code, courier="BD-CR-TDM-01")
    dispatcher = headers_for(session, "dispatch.tdm")
    job = find_job(client, dispatcher, code, "inbound", "pickup")
    assign(client, dispatcher, job, courier_id(session, "BD-CR-TDM-01"))
    assert _listed(client, session, code, courier="BD-CR-TDM-01")
    assert _listed(client, session, code, courier="bd-cr-tdm-01")
    assert _listed(client, session, code, courier=" Bd-Cr-Tdm-01 ")
    assert not _listed(client, session, code, courier="BD-CR-TDM-02")


def test_post_office_filter_follows_the_serving_office(
    client: TestClient, session: Session
) -> None:
    """Booked in Thu Dau Mot: BD-PO-TDM-1's; given to a Di An courier, BD-PO-DA-1's instead."""
    code = book(client)["tracking_code"]
    assert _listed(client, session, code, post_office="BD-PO-TDM-1")
    assert _listed(client, session, code, post_office="bd-po-tdm-1")
    assert not _listed(client, session, code, post_office="BD-PO-DA-1")
    admin = headers_for(session, "admin")
    job = find_job(client, admin, code, "inbound", "pickup")
    assign(client, admin, job, courier_id(session, "BD-CR-DA-01"))
    assert _listed(client, session, code, post_office="BD-PO-DA-1")
    assert not _listed(client, session, code, post_office="BD-PO-TDM-1")


def test_q_is_a_case_insensitive_prefix_of_the_code(client: TestClient, session: Session) -> None:
    """The code's first letters in lower case find it; letters from its middle do not."""
    code = book(client)["tracking_code"]
    assert code in _codes(client, "admin", session, q=code[:9].lower())
    assert code not in _codes(client, "admin", session, q=code[2:9])
    assert _codes(client, "admin", session, q="HS%") == []


def _far_batch(client: TestClient, session: Session, n: int) -> list[str]:
    codes = [book(client)["tracking_code"] for _ in range(n)]
    for code in codes:
        _set(session, code, due_on=FAR)
    return codes


def _page(client: TestClient, session: Session, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"due_from": FAR.isoformat(), "limit": 2}
    if cursor:
        params["cursor"] = cursor
    response = client.get("/api/v1/dossiers", params=params, headers=headers_for(session, "admin"))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_pages_neither_repeat_nor_skip_while_dossiers_are_added(
    client: TestClient, session: Session
) -> None:
    """Five dossiers in pages of two, newest first; two added between pages change nothing."""
    first = _far_batch(client, session, 5)
    seen: list[str] = []
    page = _page(client, session, None)
    while True:
        seen += [item["tracking_code"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        _far_batch(client, session, 1)  # newer than every page: sorts before page one
        page = _page(client, session, page["next_cursor"])
    assert seen == list(reversed(first))


def test_a_forged_cursor_is_refused(client: TestClient, session: Session) -> None:
    """A cursor the list did not give answers 422 naming the cursor, a query parameter."""
    response = client.get(
        "/api/v1/dossiers",
        params={"cursor": "bm90LWEtY3Vyc29y"},
        headers=headers_for(session, "admin"),
    )
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["query", "cursor"]]


def test_the_limit_is_at_most_500(client: TestClient, session: Session) -> None:
    """limit=501 is refused."""
    response = client.get(
        "/api/v1/dossiers", params={"limit": 501}, headers=headers_for(session, "admin")
    )
    assert response.status_code == 422


def test_the_export_is_the_same_query_as_a_spreadsheet(
    client: TestClient, session: Session
) -> None:
    """dossiers.csv: a BOM, Vietnamese headers, the filtered rows with the applicant's data."""
    codes = _far_batch(client, session, 3)
    response = client.get(
        "/api/v1/dossiers.csv",
        params={"due_from": FAR.isoformat()},
        headers=headers_for(session, "admin"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã hồ sơ", "Trạng thái", "Mã thủ tục"]
    assert [r[0] for r in rows[1:]] == list(reversed(codes))
    assert rows[1][5] == "Nguyễn Văn An"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows[1][12])


def test_a_booking_stores_the_post_office_nearest_its_citizen(
    client: TestClient, session: Session
) -> None:
    """Booked next to the Di An post office: the dossier is served by BD-PO-DA-1."""
    code = book(client, **NEAR_DA)["tracking_code"]
    office = session.scalar(
        select(Site.code)
        .join(Dossier, Dossier.post_office_id == Site.id)
        .where(Dossier.tracking_code == code)
    )
    assert office == "BD-PO-DA-1"
