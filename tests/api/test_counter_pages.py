"""Receiving at the counter and acting on dossiers from the center page, through the page routes
with the staff cookie: one handover per batch, sent once however often; each refusal said plainly."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier import calendar
from courier.dossiers.models import Dossier, DossierStatus, Job, Leg, ResultReturn
from courier.handovers.models import Handover, HandoverItem
from tests.api.center_staff import (
    FOREIGN,
    ORIGIN,
    as_staff,
    both_signatures,
    post_receive,
    receive_form,
)
from tests.builders import STAFF_TDM, book, courier_id, headers_for, pick_up, to_center

EN = {"Accept-Language": "en"}


def _dossier(session: Session, code: str) -> Dossier:
    session.expire_all()
    found = session.scalar(select(Dossier).where(Dossier.tracking_code == code))
    assert found is not None
    return found


def _handovers_into_center(session: Session) -> int:
    session.expire_all()
    query = select(func.count()).select_from(Handover).where(Handover.to_kind == "center")
    return session.scalar(query) or 0


def test_a_scanned_code_shows_the_seal_and_checklist_of_its_pickup(
    client: TestClient, session: Session
) -> None:
    """The check answers the courier carrying it, the seal recorded at pickup, each document as
    ticked, in the clerk's language."""
    code = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, code)
    as_staff(client, session, STAFF_TDM)
    answer = client.get("/center/counter/check", params={"code": code.lower()}, headers=EN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["tracking_code"] == code
    assert body["courier"]["id"] == cid
    assert body["seal_number"] == "NP-000123"
    assert body["documents"]
    assert all(d["ticked"] in ("original", "copy") for d in body["documents"])


def test_a_batch_is_one_handover_and_a_second_tap_records_nothing_more(
    client: TestClient, session: Session
) -> None:
    """Two dossiers received with both signatures: one courier → center handover of two items,
    both received; the same form sent again answers the same handover."""
    codes = [book(client)["tracking_code"] for _ in range(2)]
    for code in codes:
        cid, _ = pick_up(client, session, code)
    as_staff(client, session, STAFF_TDM)
    form = receive_form(cid, codes)
    first = post_receive(client, form)
    assert first.status_code == 201, first.text
    again = post_receive(client, form)
    assert again.status_code == 200, again.text
    assert again.json()["handover_id"] == first.json()["handover_id"]
    assert _handovers_into_center(session) == 1
    items = session.scalar(
        select(func.count()).where(HandoverItem.handover_id == first.json()["handover_id"])
    )
    assert items == 2
    assert {_dossier(session, c).status for c in codes} == {DossierStatus.RECEIVED_AT_CENTER}
    page = client.get(first.json()["next"], headers=EN)
    assert page.status_code == 200
    assert all(c in page.text for c in codes)
    assert f"/center/counter/received/{first.json()['handover_id']}/receipt.pdf" in page.text


def test_another_centers_code_answers_as_an_unknown_one(
    client: TestClient, session: Session
) -> None:
    """A Thuan An dossier scanned at Thu Dau Mot gets the unknown code's sentence, nothing more."""
    elsewhere = book(client, lat=10.905, lon=106.700)["tracking_code"]
    as_staff(client, session, STAFF_TDM)
    foreign = client.get("/center/counter/check", params={"code": elsewhere}, headers=EN)
    unknown = client.get("/center/counter/check", params={"code": "EE123456785VN"}, headers=EN)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["detail"] == unknown.json()["detail"].replace("EE123456785VN", elsewhere)
    assert "on its way to this center" in foreign.json()["detail"]


def test_a_dossier_carried_by_another_courier_is_refused_by_name(
    client: TestClient, session: Session
) -> None:
    """The clerk chose courier 01; a dossier courier 02 carries is refused naming both, and a
    batch holding it records nothing."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code, "BD-CR-TDM-02")
    first = courier_id(session, "BD-CR-TDM-01")
    as_staff(client, session, STAFF_TDM)
    answer = client.get("/center/counter/check", params={"code": code, "courier": first})
    assert answer.status_code == 409
    assert "không phải" in answer.json()["detail"] or "not by" in answer.json()["detail"]
    refused = post_receive(client, receive_form(first, [code]))
    assert refused.status_code == 409, refused.text
    assert _handovers_into_center(session) == 0


def test_a_code_twice_in_a_batch_is_refused(client: TestClient, session: Session) -> None:
    """The same code twice: 422 naming it, nothing recorded."""
    code = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, code)
    as_staff(client, session, STAFF_TDM)
    answer = post_receive(client, receive_form(cid, [code, code.lower()]), origin={**ORIGIN, **EN})
    assert answer.status_code == 422, answer.text
    assert f"{code} is already in this batch" in answer.json()["detail"]
    assert _handovers_into_center(session) == 0


def test_a_batch_without_the_couriers_signature_is_refused(
    client: TestClient, session: Session
) -> None:
    """Only the clerk signed: 422 saying the courier must sign; the dossier stays in transit."""
    code = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, code)
    as_staff(client, session, STAFF_TDM)
    only_clerk = {"signature": both_signatures()["signature"]}
    answer = post_receive(client, receive_form(cid, [code]), only_clerk, {**ORIGIN, **EN})
    assert answer.status_code == 422
    assert "The courier must sign." in answer.json()["detail"]
    assert _dossier(session, code).status is DossierStatus.PICKED_UP


def test_a_batch_from_a_foreign_page_is_refused(client: TestClient, session: Session) -> None:
    """A POST whose Origin is another site: 403, nothing recorded."""
    code = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, code)
    as_staff(client, session, STAFF_TDM)
    answer = post_receive(client, receive_form(cid, [code]), origin=FOREIGN)
    assert answer.status_code == 403
    assert _handovers_into_center(session) == 0


def test_processing_then_result_ready_at_the_counter_from_the_page(
    client: TestClient, session: Session
) -> None:
    """Start processing, then result ready to collect at the counter (the booking said post):
    the day again with a confirmation, the return recorded, no courier job for it."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    as_staff(client, session, STAFF_TDM)
    started = client.post(
        f"/center/dossiers/{code}/processing", headers=ORIGIN, follow_redirects=False
    )
    assert started.status_code == 303
    assert _dossier(session, code).status is DossierStatus.PROCESSING
    ready = client.post(
        f"/center/dossiers/{code}/result-ready",
        data={"result_return": "center"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert ready.status_code == 303
    dossier = _dossier(session, code)
    assert dossier.status is DossierStatus.RESULT_READY
    assert dossier.result_return is ResultReturn.CENTER
    returns = session.scalar(
        select(func.count()).where(Job.dossier_id == dossier.id, Job.leg == Leg.RETURN)
    )
    assert returns == 0
    page = client.get(ready.headers["location"], headers=EN)
    assert f"Dossier {code}: the result is ready." in page.text


def test_postponing_needs_a_reason_and_moves_the_date(client: TestClient, session: Session) -> None:
    """Without a reason the day comes back saying so (422, nothing moved); with a working day and
    a reason the due date moves."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    due = _dossier(session, code).due_on
    assert due is not None
    later = calendar.add_working_days(due, 3)
    as_staff(client, session, STAFF_TDM)
    url = f"/center/dossiers/{code}/postpone"
    missing = client.post(url, data={"new_due_on": later.isoformat()}, headers={**ORIGIN, **EN})
    assert missing.status_code == 422
    assert "choose why the result date moves" in missing.text
    assert _dossier(session, code).due_on == due
    form = {"new_due_on": later.isoformat(), "reason": "site_inspection", "note": "Đi thực địa"}
    moved = client.post(url, data=form, headers=ORIGIN, follow_redirects=False)
    assert moved.status_code == 303
    assert _dossier(session, code).due_on == later
    earlier = client.post(
        url, data={**form, "new_due_on": (later - timedelta(days=1)).isoformat()}, headers=ORIGIN
    )
    assert earlier.status_code == 422
    assert _dossier(session, code).due_on == later


def test_an_action_from_a_foreign_page_is_refused(client: TestClient, session: Session) -> None:
    """Result ready posted from another site: 403, the dossier unchanged."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    as_staff(client, session, STAFF_TDM)
    answer = client.post(f"/center/dossiers/{code}/result-ready", headers=FOREIGN)
    assert answer.status_code == 403
    assert _dossier(session, code).status is DossierStatus.RECEIVED_AT_CENTER


def test_a_refused_result_date_is_said_in_the_readers_language_with_a_dd_mm_yyyy_date(
    client: TestClient, session: Session
) -> None:
    """A new result date on the current one: the API's 422 and the page's refusal say which day it
    must follow as dd/mm/yyyy, in Vietnamese by default and in English when asked; the page's date
    input offers nothing before the working day after the current result date."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    due = _dossier(session, code).due_on
    assert due is not None
    shown = due.strftime("%d/%m/%Y")
    form = {"new_due_on": due.isoformat(), "reason": "site_inspection"}
    url = f"/api/v1/dossiers/{code}/postpone"
    staff = headers_for(session, "center.tdm")
    vi = client.post(url, json=form, headers=staff)
    assert vi.status_code == 422
    assert vi.json()["detail"][0]["msg"] == (
        f"«Ngày hẹn trả kết quả mới»: hãy chọn một ngày làm việc sau {shown}, "
        "ngày hẹn trả kết quả hiện tại"
    )
    en = client.post(url, json=form, headers={**staff, **EN}).json()["detail"][0]["msg"]
    assert en == (
        f"«New result date»: please choose a working day after {shown}, the current result date"
    )
    as_staff(client, session, STAFF_TDM)
    page = client.post(f"/center/dossiers/{code}/postpone", data=form, headers=ORIGIN)
    assert page.status_code == 422
    assert f"hãy chọn một ngày làm việc sau {shown}" in page.text
    assert "must be" not in page.text
    first = calendar.next_working_day(due)
    assert f'id="due-{code}" name="new_due_on" min="{first.isoformat()}"' in page.text
