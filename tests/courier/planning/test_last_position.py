"""A courier's last known position counts the handovers at a center's counter (a site, no GPS
point)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from courier.catalogue.models import Site
from courier.db import utcnow
from courier.planning import progress
from tests.builders import book, handover_body, pick_up, post_handover_ok, site_id


def test_a_handover_at_a_centers_counter_is_the_last_known_position(
    client: TestClient, session: Session
) -> None:
    """After a pickup at the citizen's (GPS point) the courier hands the dossier in at the
    center, a handover with the center's site and no point: the center is where they were last."""
    code = book(client)["tracking_code"]
    cid, headers = pick_up(client, session, code)
    center = session.get_one(Site, site_id(session, "BD-TDM"))
    body = handover_body(
        {"kind": "courier", "id": cid},
        {"kind": "center", "id": center.id},
        [code],
        lat=None,
        lon=None,
        site_id=center.id,
    )
    post_handover_ok(client, headers, body)
    now = utcnow()
    seen = progress.last_positions(
        session, {cid}, (now - timedelta(days=1), now + timedelta(days=1))
    )
    assert (seen[cid].lat, seen[cid].lon) == (center.lat, center.lon)
