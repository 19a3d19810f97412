"""Issue 14, visibility: what a handover or an attempt tells someone the dossier does not concern.

A refusal on a dossier the caller may not see answers as an unknown code does; a handover keeps a
dossier in the post office that serves it; a handover's record gives a non-party no link to images
it may not read; another caller's idempotency key is as new to the caller as an unused one.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier, Job, JobAttempt, JobKind, Leg
from courier.handovers.models import Handover, HandoverItem
from tests.builders import (
    STAFF_TDM,
    assign,
    book,
    counts,
    courier_id,
    find_job,
    handover_body,
    headers_for,
    pick_up,
    post_handover,
    post_handover_ok,
    post_ok,
    site_id,
    status_of,
    to_center,
)

UNKNOWN = "HS000000000VN"  # a well-formed code no dossier has


def _as_unknown(response: Any, code: str) -> dict[str, Any]:
    """The answer's body with the code put back as the unknown one, to compare shapes."""
    body: dict[str, Any] = response.json()
    return {k: v.replace(code, UNKNOWN) if isinstance(v, str) else v for k, v in body.items()}


def _stranger_hands_in(client: TestClient, session: Session, code: str) -> Any:
    """A courier of another post office (Di An) hands `code` in at its center as its own."""
    stranger = courier_id(session, "BD-CR-DA-01")
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    body = handover_body({"kind": "courier", "id": stranger}, center, [code])
    return post_handover(client, body, headers_for(session, "bd-cr-da-01"))


@pytest.mark.parametrize("state", ["booked", "picked_up"])
def test_another_offices_dossier_answers_a_courier_like_an_unknown_code(
    client: TestClient, session: Session, state: str
) -> None:
    """A Di An courier who hands in a Thu Dau Mot dossier at its center learns neither that it
    exists, nor its center, nor who holds it: the answer is the unknown code's, word for word."""
    code = book(client)["tracking_code"]
    if state == "picked_up":
        pick_up(client, session, code)
    before = counts(session)
    unknown = _stranger_hands_in(client, session, UNKNOWN)
    refused = _stranger_hands_in(client, session, code)
    assert unknown.status_code == 404, unknown.text
    assert (refused.status_code, _as_unknown(refused, code)) == (404, unknown.json())
    assert "citizen" not in refused.text
    assert "courier" not in refused.text
    assert counts(session) == before


def test_another_centers_result_answers_its_staff_like_an_unknown_code(
    client: TestClient, session: Session
) -> None:
    """Thuan An's clerk handing over a result that waits at Thu Dau Mot (to the courier who has its
    pickup) is answered as for an unknown code, not 'held at another center'."""
    code = book(client)["tracking_code"]
    cid, _ = to_center(client, session, [code])
    post_ok(client, f"/api/v1/dossiers/{code}/result-ready", headers_for(session, STAFF_TDM))
    dispatcher = headers_for(session, "dispatch.tdm")
    assign(client, dispatcher, find_job(client, dispatcher, code, "return", "pickup"), cid)
    ta = {"kind": "center", "id": site_id(session, "BD-TA")}
    clerk = headers_for(session, "center.thuanan")
    answers = [
        post_handover(client, handover_body(ta, {"kind": "courier", "id": cid}, [c]), clerk)
        for c in (UNKNOWN, code)
    ]
    assert answers[0].status_code == 404, answers[0].text
    assert (answers[1].status_code, _as_unknown(answers[1], code)) == (404, answers[0].json())
    assert status_of(client, code) == "result_ready"


def _courier_party(session: Session, code: str) -> dict[str, Any]:
    return {"kind": "courier", "id": courier_id(session, code)}


def test_a_courier_cannot_hand_a_dossier_to_another_offices_courier(
    client: TestClient, session: Session
) -> None:
    """Thu Dau Mot's courier handing a dossier to a Di An courier is refused (409, naming the
    rule) and changes nothing: the Di An courier still cannot read the applicant's data."""
    code = book(client)["tracking_code"]
    _, courier = pick_up(client, session, code)
    before = counts(session)
    body = handover_body(
        _courier_party(session, "BD-CR-TDM-01"), _courier_party(session, "BD-CR-DA-01"), [code]
    )
    refused = post_handover(client, body, courier)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "other_office"
    assert counts(session) == before
    stranger = headers_for(session, "bd-cr-da-01")
    assert client.get(f"/api/v1/dossiers/{code}", headers=stranger).status_code == 404


def test_a_courier_cannot_leave_a_dossier_at_another_post_office(
    client: TestClient, session: Session
) -> None:
    """Leaving a Thu Dau Mot dossier overnight at Di An's post office is refused in Vietnamese."""
    code = book(client)["tracking_code"]
    _cid, courier = pick_up(client, session, code)
    office = {"kind": "post_office", "id": site_id(session, "BD-PO-DA-1")}
    body = handover_body(_courier_party(session, "BD-CR-TDM-01"), office, [code])
    refused = post_handover(client, body, {**courier, "Accept-Language": "vi"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "other_office"
    assert code in refused.json()["detail"]
    assert "bưu cục" in refused.json()["detail"]
    assert status_of(client, code) == "picked_up"


def test_a_handover_within_the_office_still_passes(client: TestClient, session: Session) -> None:
    """Two couriers of the same post office hand a dossier over as before."""
    code = book(client)["tracking_code"]
    _, courier = pick_up(client, session, code)
    body = handover_body(
        _courier_party(session, "BD-CR-TDM-01"), _courier_party(session, "BD-CR-TDM-02"), [code]
    )
    post_handover_ok(client, courier, body)
    colleague = headers_for(session, "bd-cr-tdm-02")
    assert client.get(f"/api/v1/dossiers/{code}", headers=colleague).status_code == 200


def test_a_dossier_moved_to_another_office_may_be_handed_to_its_courier(
    client: TestClient, session: Session
) -> None:
    """Once an admin gives the delivery to a Di An courier (a move through the jobs API), the
    handover to that courier passes, and the dossier is Di An's."""
    code = book(client)["tracking_code"]
    _, courier = pick_up(client, session, code)
    admin = headers_for(session, "admin")
    delivery = find_job(client, admin, code, "inbound", "delivery")
    assign(client, admin, delivery, courier_id(session, "BD-CR-DA-01"))
    body = handover_body(
        _courier_party(session, "BD-CR-TDM-01"), _courier_party(session, "BD-CR-DA-01"), [code]
    )
    post_handover_ok(client, courier, body)
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    session.refresh(dossier)
    assert dossier.post_office_id == site_id(session, "BD-PO-DA-1")


def test_a_non_party_reading_the_record_gets_no_image_links(
    client: TestClient, session: Session
) -> None:
    """The dispatcher sees the pickup's record (its dossier is their office's) but no link to the
    citizen's signature, photos or receipt; the courier who took it gets them."""
    code = book(client)["tracking_code"]
    _, courier = pick_up(client, session, code)
    handover = _latest_handover(session, code)
    dispatcher = headers_for(session, "dispatch.tdm")
    seen = client.get(f"/api/v1/handovers/{handover}", headers=dispatcher).json()
    assert [p["url"] for p in seen["proofs"]] == [None] * len(seen["proofs"])
    assert (seen["receipt_pdf"], seen["receipt_png"]) == (None, None)
    party = client.get(f"/api/v1/handovers/{handover}", headers=courier).json()
    assert all(p["url"] for p in party["proofs"])
    assert party["receipt_pdf"]


def _latest_handover(session: Session, code: str) -> int:
    """The id of the dossier's latest handover."""
    query = (
        select(Handover.id)
        .join(HandoverItem, HandoverItem.handover_id == Handover.id)
        .join(Dossier, Dossier.id == HandoverItem.dossier_id)
        .where(Dossier.tracking_code == code)
        .order_by(Handover.id.desc())
    )
    found = session.scalar(query.limit(1))
    assert found is not None
    return found


def test_another_couriers_handover_key_is_new_to_me(client: TestClient, session: Session) -> None:
    """A courier whose key another courier already used records their own handover with it (201),
    learns nothing of the other one, and a retry answers their own handover."""
    first, second = book(client)["tracking_code"], book(client)["tracking_code"]
    cid, courier = pick_up(client, session, first)
    other_id, other = pick_up(client, session, second, "BD-CR-TDM-02")
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    theirs = post_handover_ok(
        client, courier, handover_body({"kind": "courier", "id": cid}, center, [first])
    )
    body = handover_body({"kind": "courier", "id": other_id}, center, [second])
    body["idempotency_key"] = _key_of(session, theirs["id"])
    mine = post_handover(client, body, other)
    assert mine.status_code == 201, mine.text
    assert mine.json()["id"] != theirs["id"]
    assert first not in mine.text
    again = post_handover(client, body, other)
    assert (again.status_code, again.json()["id"]) == (200, mine.json()["id"])
    assert status_of(client, second) == "received_at_center"


def _key_of(session: Session, handover_id: int) -> str:
    key = session.scalar(select(Handover.idempotency_key).where(Handover.id == handover_id))
    assert key is not None
    return key


def _inbound_pickup(session: Session, code: str) -> int:
    query = (
        select(Job.id)
        .join(Dossier)
        .where(Dossier.tracking_code == code, Job.leg == Leg.INBOUND, Job.kind == JobKind.PICKUP)
    )
    found = session.scalar(query)
    assert found is not None
    return found


def test_another_couriers_attempt_key_is_new_to_me(client: TestClient, session: Session) -> None:
    """Two couriers' failed attempts with one key: the second is recorded as its own (not 422
    'already used'), and its retry answers it."""
    dispatcher = headers_for(session, "dispatch.tdm")
    jobs = []
    for courier in ("BD-CR-TDM-01", "BD-CR-TDM-02"):
        code = book(client)["tracking_code"]
        job = _inbound_pickup(session, code)
        assign(client, dispatcher, job, courier_id(session, courier))
        jobs.append((job, headers_for(session, courier.lower())))
    body = {"reason": "not_home", "idempotency_key": "shared-key-0001"}
    (job_a, courier_a), (job_b, courier_b) = jobs
    first = client.post(f"/api/v1/jobs/{job_a}/attempts", json=body, headers=courier_a)
    assert first.status_code == 200, first.text
    mine = client.post(f"/api/v1/jobs/{job_b}/attempts", json=body, headers=courier_b)
    assert mine.status_code == 200, mine.text
    again = client.post(f"/api/v1/jobs/{job_b}/attempts", json=body, headers=courier_b)
    assert again.json()["attempt_id"] == mine.json()["attempt_id"] != first.json()["attempt_id"]
    session.expire_all()
    assert len(session.scalars(select(JobAttempt)).all()) == 2
