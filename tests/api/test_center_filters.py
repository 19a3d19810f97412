"""«Hôm nay tại …» filters: by courier, post office and due dates; the "More" link keeps them; an
admin chooses the center the page shows."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier import calendar
from courier.db import utcnow
from courier.dossiers.models import Dossier, DossierStatus
from courier.fleet.models import Courier
from tests.api.center_staff import as_staff
from tests.builders import HO_CHI_MINH, STAFF_TDM, book, pick_up, site_id


def _page(client: TestClient, **params: str) -> str:
    answer = client.get("/center/", params=params, headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.text
    return answer.text


def _in_transit(client: TestClient, session: Session, courier: str) -> str:
    code: str = book(client)["tracking_code"]
    pick_up(client, session, code, courier)
    return code


def test_the_day_narrows_to_one_courier_and_to_a_due_range(
    client: TestClient, session: Session
) -> None:
    """Two couriers carry one dossier each: the courier filter shows only theirs; a due range
    keeps the dossiers due inside it; a date that is not one says so and filters nothing."""
    first = _in_transit(client, session, "BD-CR-TDM-01")
    second = _in_transit(client, session, "BD-CR-TDM-02")
    today = calendar.local_today(utcnow(), HO_CHI_MINH)
    session.execute(
        update(Dossier)
        .where(Dossier.tracking_code == second)
        .values(due_on=today + timedelta(days=10))
    )
    session.commit()
    staff = as_staff(client, session, STAFF_TDM)
    everything = _page(staff)
    assert first in everything
    assert second in everything
    mine = _page(staff, courier="bd-cr-tdm-01")
    assert first in mine
    assert second not in mine
    due = {"due_from": (today + timedelta(days=9)).isoformat()}
    later = _page(staff, **due, due_to=(today + timedelta(days=11)).isoformat())
    assert second in later
    assert first not in later
    wrong = _page(staff, due_from="31/12/2026")
    assert "A due date is not a date" in wrong
    assert first in wrong


def test_the_post_office_filter_keeps_the_dossiers_that_office_serves(
    client: TestClient, session: Session
) -> None:
    """Thu Dau Mot's dossier is under its office and not under Di An's."""
    code = _in_transit(client, session, "BD-CR-TDM-01")
    courier = session.scalars(select(Courier).where(Courier.code == "BD-CR-TDM-01")).one()
    staff = as_staff(client, session, STAFF_TDM)
    assert code in _page(staff, post_office=courier.home_post_office.code)
    assert code not in _page(staff, post_office="BD-PO-DA-1")


def test_more_follows_the_section_with_the_same_filters(
    client: TestClient, session: Session
) -> None:
    """Fifty-one dossiers in processing: the first page shows fifty and a "More" link that keeps
    the procedure filter and gives the fifty-first."""
    codes = [book(client, phone=f"0912 {n:06d}")["tracking_code"] for n in range(51)]
    session.execute(
        update(Dossier)
        .where(Dossier.tracking_code.in_(codes))
        .values(status=DossierStatus.PROCESSING, receiving_site_id=site_id(session, "BD-TDM"))
    )
    session.commit()
    staff = as_staff(client, session, STAFF_TDM)
    first = _page(staff, procedure="HT-01")
    link = re.search(r'href="/center/\?([^"]*section=processing[^"]*)"', first)
    assert link is not None
    query = link.group(1).replace("&amp;", "&")
    assert "procedure=HT-01" in query
    shown = [c for c in codes if c in first]
    assert len(shown) == 50
    rest = client.get(f"/center/?{query}", headers={"Accept-Language": "en"}).text
    assert [c for c in codes if c in rest] == [c for c in codes if c not in shown]


def test_an_admin_chooses_the_center_the_day_is_about(client: TestClient, session: Session) -> None:
    """Without a choice an admin sees no list and is asked to choose; with one, that center's
    day; a clerk's own center is fixed whatever they ask."""
    code = _in_transit(client, session, "BD-CR-TDM-01")
    admin = as_staff(client, session, "admin")
    unchosen = _page(admin)
    assert "Choose a center to see its day." in unchosen
    assert code not in unchosen
    chosen = _page(admin, site="BD-TDM")
    assert "Today at Thu Dau Mot Branch" in chosen
    assert code in chosen
    other = _page(admin, site="BD-TA")
    assert code not in other
    clerk = as_staff(client, session, STAFF_TDM)
    assert code in _page(clerk, site="BD-TA")
