"""Handovers: idempotent, all or nothing, and only by whoever holds the dossier."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
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


def test_replay_with_same_key_and_body_answers_the_same_handover(
    client: TestClient, session: Session
) -> None:
    """A retried handover answers 200 with the same record and adds no event."""
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code)
    body = handover_body(
        {"kind": "courier", "id": cid}, {"kind": "center", "id": site_id(session, "BD-TDM")}, [code]
    )
    first = post_handover(client, body, courier)
    assert first.status_code == 201, first.text
    before = counts(session)
    again = post_handover(client, body, courier)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["items"] == first.json()["items"]
    assert counts(session) == before


def test_same_key_with_a_different_body_is_a_conflict(client: TestClient, session: Session) -> None:
    """Reusing an idempotency key for other content answers 409 and records nothing."""
    first_code, second_code = book(client)["tracking_code"], book(client)["tracking_code"]
    cid, courier = pick_up(client, session, first_code)
    pick_up(client, session, second_code)
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    body = handover_body({"kind": "courier", "id": cid}, center, [first_code])
    post_handover_ok(client, courier, body)
    before = counts(session)
    reused = post_handover(client, {**body, "tracking_codes": [second_code]}, courier)
    assert reused.status_code == 422
    assert reused.json()["detail"][0]["loc"] == ["body", "handover", "idempotency_key"]
    assert counts(session) == before
    assert status_of(client, second_code) == "picked_up"


def test_one_dossier_in_an_illegal_state_moves_none(client: TestClient, session: Session) -> None:
    """Handing two results to citizens when one is still processing moves neither."""
    ready, processing = (book(client, result_return="center")["tracking_code"] for _ in range(2))
    to_center(client, session, [ready, processing])
    staff = headers_for(session, STAFF_TDM)
    post_ok(client, f"/api/v1/dossiers/{processing}/processing", staff)
    post_ok(client, f"/api/v1/dossiers/{ready}/result-ready", staff)
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    before = counts(session)
    body = handover_body(center, {"kind": "citizen"}, [ready, processing], site_id=center["id"])
    response = post_handover(client, body, staff)
    assert response.status_code == 409
    assert (response.json()["current"], response.json()["requested"]) == ("processing", "delivered")
    assert counts(session) == before
    assert (status_of(client, ready), status_of(client, processing)) == (
        "result_ready",
        "processing",
    )


def test_a_courier_cannot_hand_over_a_dossier_it_does_not_hold(
    client: TestClient, session: Session
) -> None:
    """Another courier's handover of the dossier is refused and changes nothing."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code, "BD-CR-TDM-01")
    other_id = courier_id(session, "BD-CR-TDM-02")
    other = headers_for(session, "bd-cr-tdm-02")
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    before = counts(session)
    body = handover_body({"kind": "courier", "id": other_id}, center, [code])
    response = post_handover(client, body, other)
    assert response.status_code in (403, 404, 409)
    assert counts(session) == before
    assert status_of(client, code) == "picked_up"


def test_custody_is_checked_even_for_an_admin(client: TestClient, session: Session) -> None:
    """Even an admin cannot record a hand-in by a courier who does not hold the dossier."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code, "BD-CR-TDM-01")
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    body = handover_body(
        {"kind": "courier", "id": courier_id(session, "BD-CR-TDM-02")}, center, [code]
    )
    before = counts(session)
    response = post_handover(client, body, headers_for(session, "admin"))
    assert response.status_code == 409
    assert counts(session) == before


def test_delivering_to_the_wrong_center_is_refused(client: TestClient, session: Session) -> None:
    """A dossier bound for Thu Dau Mot cannot be handed in at Thuan An."""
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code)
    wrong = {"kind": "center", "id": site_id(session, "BD-TA")}
    before = counts(session)
    english = {**courier, "Accept-Language": "en"}
    response = post_handover(
        client, handover_body({"kind": "courier", "id": cid}, wrong, [code]), english
    )
    assert response.status_code == 409
    assert "another center" in response.json()["detail"]
    assert counts(session) == before
    assert status_of(client, code) == "picked_up"


def test_handover_needs_a_place(client: TestClient, session: Session) -> None:
    """Without a site or a GPS point the handover is refused naming site_id."""
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code)
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    body = handover_body({"kind": "courier", "id": cid}, center, [code], lat=None, lon=None)
    response = post_handover(client, body, courier)
    assert response.status_code == 422
    assert ["body", "handover", "site_id"] in [e["loc"] for e in response.json()["detail"]]


def test_a_pickup_at_the_door_without_a_gps_fix_records_no_point(
    client: TestClient, session: Session
) -> None:
    """The phone had no fix at the citizen's door: the pickup is recorded without a position (never
    a guessed one), and its receipt says so; half a point is refused."""
    code = book(client)["tracking_code"]
    dispatcher = headers_for(session, "dispatch.tdm")
    cid = courier_id(session, "BD-CR-TDM-01")
    assign(client, dispatcher, find_job(client, dispatcher, code, "inbound", "pickup"), cid)
    courier = headers_for(session, "bd-cr-tdm-01")
    citizen = {"kind": "citizen"}
    body = handover_body(citizen, {"kind": "courier", "id": cid}, [code], lat=None, lon=None)
    half = post_handover(client, {**body, "lon": 106.65}, courier)
    assert half.status_code == 422
    assert ["body", "handover", "lat"] in [e["loc"] for e in half.json()["detail"]]
    response = post_handover(client, body, courier)
    assert response.status_code == 201, response.text
    assert (response.json()["lat"], response.json()["lon"]) == (None, None)


def test_center_api_key_cannot_record_handovers(client: TestClient, session: Session) -> None:
    """A center's information system pushes results; it does not sign for paper, and gets 403."""
    code = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, code)
    tdm = site_id(session, "BD-TDM")
    _, secret = accounts.create_api_key(session, name="TDM one-stop system", site_id=tdm)
    session.commit()
    before = counts(session)
    body = handover_body({"kind": "courier", "id": cid}, {"kind": "center", "id": tdm}, [code])
    response = post_handover(client, body, {"X-API-Key": secret})
    assert response.status_code == 403
    assert counts(session) == before
