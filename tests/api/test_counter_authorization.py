"""Who may use the counter and the day page's actions: the center's own clerk and an admin (for a
chosen center) do; another center's clerk gets exactly what an unknown code gets and changes
nothing; dispatchers, couriers and citizens are refused; a stranger is asked to sign in. No answer
to anyone else holds the applicant's name."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier import calendar
from courier.dossiers.models import Dossier, DossierStatus
from courier.handovers.models import Handover
from tests.api.center_staff import ORIGIN, as_staff, post_receive, receive_form
from tests.builders import STAFF_TDM, book, booking_day, pick_up, to_center

NAME = "Nguyễn Văn An"  # the builders' applicant


@dataclass(frozen=True)
class Expect:
    """What an actor gets: the check and batch (JSON), the actions (POST), the confirmation."""

    username: str | None
    site: str
    check: int
    receive: int
    action: int
    confirmation: int


ACTORS = {
    "own_clerk": Expect(STAFF_TDM, "", 200, 201, 303, 200),
    "admin": Expect("admin", "BD-TDM", 200, 201, 303, 200),
    "other_center": Expect("center.thuanan", "", 404, 404, 404, 404),
    "dispatcher": Expect("dispatch.tdm", "", 403, 403, 403, 403),
    "courier": Expect("bd-cr-tdm-01", "", 403, 403, 403, 403),
    "citizen": Expect("citizen.an", "", 403, 403, 403, 403),
    "stranger": Expect(None, "", 401, 401, 401, 200),
}


def _statuses(session: Session, codes: list[str]) -> list[DossierStatus]:
    session.expire_all()
    query = select(Dossier.status).where(Dossier.tracking_code.in_(codes))
    return sorted(session.scalars(query))


def _center_handovers(session: Session) -> int:
    session.expire_all()
    query = select(func.count()).select_from(Handover).where(Handover.to_kind == "center")
    return session.scalar(query) or 0


@pytest.mark.parametrize("who", ACTORS.keys())
def test_the_counter_and_its_actions_answer_only_the_centers_staff(
    client: TestClient, session: Session, who: str
) -> None:
    """Each actor scans, receives, acts on three received dossiers and opens a confirmation."""
    expect = ACTORS[who]
    coming = book(client)["tracking_code"]
    cid, _ = pick_up(client, session, coming)
    received = [book(client)["tracking_code"] for _ in range(2)]
    to_center(client, session, received)
    handovers_before = _center_handovers(session)
    confirmation = f"/center/counter/received/{_last_handover(session)}"
    before = _statuses(session, [coming, *received])

    as_staff(client, session, expect.username)
    site = {"site": expect.site} if expect.site else {}
    answers = []
    check = client.get("/center/counter/check", params={"code": coming, **site})
    answers.append(check)
    assert check.status_code == expect.check, check.text
    if who == "other_center":
        unknown = client.get("/center/counter/check", params={"code": "EE123456785VN"})
        assert check.json()["detail"] == unknown.json()["detail"].replace("EE123456785VN", coming)
    batch = post_receive(client, receive_form(cid, [coming], **site))
    answers.append(batch)
    assert batch.status_code == expect.receive, batch.text
    later = calendar.add_working_days(booking_day(), 40)
    forms = {
        "processing": {},
        "result-ready": {"result_return": "center"},
        "postpone": {"new_due_on": later.isoformat(), "reason": "force_majeure"},
    }
    for code, (action, form) in zip([*received, received[0]], forms.items(), strict=True):
        answer = client.post(
            f"/center/dossiers/{code}/{action}",
            data={**form, **site},
            headers=ORIGIN,
            follow_redirects=False,
        )
        answers.append(answer)
        assert answer.status_code == expect.action, (action, answer.text)
    shown = client.get(confirmation, params=site)
    answers.append(shown)
    assert shown.status_code == expect.confirmation

    allowed = expect.check == 200
    assert (_center_handovers(session) == handovers_before + 1) is allowed
    assert (_statuses(session, [coming, *received]) != before) is allowed
    if not allowed:
        assert all(NAME not in a.text for a in answers)
        assert all(c not in shown.text for c in received)


def _last_handover(session: Session) -> int:
    found = session.scalar(select(func.max(Handover.id)).where(Handover.to_kind == "center"))
    assert found is not None
    return found


def test_an_admin_must_choose_a_center_first(client: TestClient, session: Session) -> None:
    """Without a chosen center the check says so (400) and nothing is looked up."""
    code = book(client)["tracking_code"]
    as_staff(client, session, "admin")
    answer = client.get("/center/counter/check", params={"code": code})
    assert answer.status_code == 400
    assert code not in answer.text
