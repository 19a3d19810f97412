"""JSON answers that hold personal data (or a credential) are never kept by a browser or proxy."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.handovers.models import Handover
from tests.builders import book, headers_for, pick_up

PHONE = "5678"


def test_personal_data_answers_are_no_store(client: TestClient, session: Session) -> None:
    """The dossier, jobs, couriers, a handover, the courier's route, the token, the account's
    dossiers and the public timeline each say `Cache-Control: no-store`."""
    code = book(client)["tracking_code"]
    _, courier = pick_up(client, session, code)
    handover = session.scalar(select(Handover.id).order_by(Handover.id.desc()))
    admin = headers_for(session, "admin")
    dispatcher = headers_for(session, "dispatch.tdm")
    answers = {
        "dossier": client.get(f"/api/v1/dossiers/{code}", headers=admin),
        "jobs": client.get("/api/v1/jobs", headers=dispatcher),
        "couriers": client.get("/api/v1/couriers", headers=dispatcher),
        "handover": client.get(f"/api/v1/handovers/{handover}", headers=courier),
        "route": client.get("/api/v1/couriers/me/route", headers=courier),
        "token": client.post(
            "/api/v1/auth/token", data={"username": "admin", "password": "demo-admin-2026"}
        ),
        "my dossiers": client.get(
            "/api/v1/me/dossiers", headers=headers_for(session, "citizen.an")
        ),
        "timeline": client.post(f"/api/v1/track/{code}", json={"phone": PHONE}),
    }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 200)
    assert {name: a.headers.get("cache-control") for name, a in answers.items()} == dict.fromkeys(
        answers, "no-store"
    )
