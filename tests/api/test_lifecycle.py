"""A dossier's whole life through the API, each step made by the party allowed to make it."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.notifications.models import Notification
from tests.builders import (
    book,
    courier_login,
    handover_body,
    login_as,
    post_handover,
)

COURIER = "BD-CR-TDM-01"


def _assign(client: TestClient, code: str, courier_id: int, leg: str) -> None:
    dispatcher = login_as(client, "dispatcher")
    jobs = client.get("/api/v1/jobs", headers=dispatcher, params={"status": "pending"}).json()
    job = next(j for j in jobs if j["tracking_code"] == code and j["leg"] == leg)
    response = client.post(
        f"/api/v1/jobs/{job['id']}/assign", json={"courier_id": courier_id}, headers=dispatcher
    )
    assert response.status_code == 200, response.text


def test_dossier_goes_from_booking_to_delivered_result(
    client: TestClient, session: Session
) -> None:
    """Booked → picked up → in transit → received → processing → result → delivered."""
    booked = book(client)
    code = booked["tracking_code"]
    site_id = session.scalar(select(Site.id).where(Site.code == booked["receiving_site"]["code"]))
    courier_id, courier = courier_login(client, session, COURIER)
    _assign(client, code, courier_id, "inbound")
    citizen = {"kind": "citizen"}
    me = {"kind": "courier", "id": courier_id}
    center = {"kind": "center", "id": site_id}

    steps = [
        (courier, handover_body(citizen, me, [code]), "picked_up"),
        (courier, None, "in_transit"),
        (courier, handover_body(me, center, [code], site_id=site_id), "received_at_center"),
    ]
    for headers, body, expected in steps:
        if body is None:
            response = client.post(f"/api/v1/dossiers/{code}/depart", headers=headers)
        else:
            response = post_handover(client, body, headers)
        assert response.status_code in (200, 201), response.text
        assert (
            client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()["status"]
            == expected
        )

    staff = _staff_for(client, booked["receiving_site"]["code"])
    assert client.post(f"/api/v1/dossiers/{code}/processing", headers=staff).status_code == 200
    ready = client.post(f"/api/v1/dossiers/{code}/result-ready", headers=staff)
    assert ready.status_code == 200, ready.text
    assert {(j["leg"], j["kind"]) for j in ready.json()["jobs"]} >= {
        ("return", "pickup"),
        ("return", "delivery"),
    }

    _assign(client, code, courier_id, "return")
    result_pickup = handover_body(center, me, [code], site_id=site_id)
    assert post_handover(client, result_pickup, courier).status_code == 201
    assert client.post(f"/api/v1/dossiers/{code}/depart", headers=courier).status_code == 200
    delivered = post_handover(client, handover_body(me, citizen, [code]), courier)
    assert delivered.status_code == 201, delivered.text

    timeline = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()
    assert timeline["status"] == "delivered"
    assert [e["code"] for e in timeline["events"]] == [
        "ECA",
        "EMA",
        "EMC",
        "EMD",
        "ECP",
        "ECR",
        "EMF",
        "EDG",
        "EMI",
    ]
    sms = session.scalars(select(Notification.body)).all()
    assert any(code in body and "Da tra ket qua" in body for body in sms)


def _staff_for(client: TestClient, site_code: str) -> dict[str, str]:
    from courier.demo import data
    from tests.builders import login

    spec = next(
        a for a in data.ACCOUNTS if a.role.value == "center_staff" and a.site_code == site_code
    )
    return login(client, spec.username, spec.password)
