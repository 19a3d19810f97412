"""Issue 14, visibility: what a handover or an attempt tells someone the dossier does not concern.

A refusal on a dossier the caller may not see answers as an unknown code does.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

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
