"""Two identical handovers sent at the same moment create one handover (committed databases)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.main import create_app
from courier.handovers.models import Handover
from courier.settings import Settings
from tests.builders import assigned_pickup, courier_id, headers_for, post_handover
from tests.race import race


def test_two_identical_requests_at_once_make_one_handover(committed: Any) -> None:
    """Both answers name the same handover; one was created (201), the other replayed (200)."""
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as client:
        with committed() as session:  # closed before the race: SQLite writers wait on readers
            cid = courier_id(session, "BD-CR-TDM-01")
            dispatcher = headers_for(session, "dispatch.tdm")
            courier = headers_for(session, "bd-cr-tdm-01")
        _, body = assigned_pickup(client, cid=cid, dispatcher=dispatcher, courier=courier)

        answers = race(*[lambda: post_handover(client, dict(body), courier, complete=False)] * 2)
        assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
        assert answers[0].json()["id"] == answers[1].json()["id"]
        with committed() as session:
            count = session.scalar(
                select(func.count())
                .select_from(Handover)
                .where(Handover.idempotency_key == body["idempotency_key"])
            )
        assert count == 1
