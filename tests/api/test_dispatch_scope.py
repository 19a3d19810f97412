"""A dispatcher works for one post office: its dossiers, jobs, couriers and plans, nothing else.

A dossier concerns a post office when one of its jobs is (or was) assigned to a courier of that
office, or when its citizen is nearest that office among the offices with couriers (the rule the
daily plan uses to give a pair to a depot). Admins keep the whole province.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier import calendar
from courier.accounts.models import User
from courier.enums import Role
from courier.planning import requesting
from courier.planning.models import Plan, PlanStatus
from courier.settings import Settings
from tests.builders import (
    assign,
    book,
    booking_day,
    counts,
    courier_id,
    find_job,
    headers_for,
    site_id,
)

TDM, DA = "BD-PO-TDM-1", "BD-PO-DA-1"
NEAR_DA = {"lat": 10.911, "lon": 106.772, "address_text": "5 Nguyễn An Ninh, phường Dĩ An"}


def _pickup(client: TestClient, session: Session, code: str) -> int:
    return find_job(client, headers_for(session, "admin"), code, "inbound", "pickup")


@pytest.mark.parametrize(("who", "status"), [("dispatch.tdm", 200), ("dispatch.da", 404)])
def test_a_dossier_and_its_job_are_shown_to_their_own_post_office_only(
    client: TestClient, session: Session, who: str, status: int
) -> None:
    """A dossier booked in Thu Dau Mot: the TDM dispatcher sees it and its job, DA's gets 404."""
    code = book(client)["tracking_code"]
    job = _pickup(client, session, code)
    headers = headers_for(session, who)
    dossier = client.get(f"/api/v1/dossiers/{code}", headers=headers)
    assert dossier.status_code == status
    assert client.get(f"/api/v1/jobs/{job}", headers=headers).status_code == status
    assert ("Nguyễn Văn An" in dossier.text) is (status == 200)


def test_a_dossier_near_another_office_is_that_offices(
    client: TestClient, session: Session
) -> None:
    """Booked next to the Di An post office: DA's dispatcher sees it, TDM's does not."""
    code = book(client, **NEAR_DA)["tracking_code"]
    da = client.get(f"/api/v1/dossiers/{code}", headers=headers_for(session, "dispatch.da"))
    tdm = client.get(f"/api/v1/dossiers/{code}", headers=headers_for(session, "dispatch.tdm"))
    assert (da.status_code, tdm.status_code) == (200, 404)


def test_a_dossier_given_to_an_offices_courier_concerns_that_office(
    client: TestClient, session: Session
) -> None:
    """An admin gives a Thu Dau Mot pickup to a Di An courier: DA's dispatcher now sees it."""
    code = book(client)["tracking_code"]
    assign(
        client, headers_for(session, "admin"), _pickup(client, session, code), _da_courier(session)
    )
    shown = client.get(f"/api/v1/dossiers/{code}", headers=headers_for(session, "dispatch.da"))
    assert shown.status_code == 200


def _da_courier(session: Session) -> int:
    return courier_id(session, "BD-CR-DA-01")


def _assign(client: TestClient, session: Session, who: str, job: int, courier: int) -> Any:
    return client.post(
        f"/api/v1/jobs/{job}/assign",
        json={"courier_id": courier},
        headers=headers_for(session, who),
    )


def test_another_offices_job_cannot_be_assigned(client: TestClient, session: Session) -> None:
    """DA's dispatcher cannot assign a Thu Dau Mot job, even to a DA courier: 404, nothing changes."""
    code = book(client)["tracking_code"]
    job = _pickup(client, session, code)
    before = counts(session)
    refused = _assign(client, session, "dispatch.da", job, _da_courier(session))
    assert refused.status_code == 404
    assert "Yersin" not in refused.text
    assert counts(session) == before
    assert (
        client.get(f"/api/v1/jobs/{job}", headers=headers_for(session, "admin")).json()[
            "courier_id"
        ]
        is None
    )


def test_a_job_goes_only_to_a_courier_of_the_dispatchers_office(
    client: TestClient, session: Session
) -> None:
    """TDM's dispatcher may not give their job to a Di An courier (403); to their own they may."""
    code = book(client)["tracking_code"]
    job = _pickup(client, session, code)
    assert _assign(client, session, "dispatch.tdm", job, _da_courier(session)).status_code == 403
    own = courier_id(session, "BD-CR-TDM-01")
    assert _assign(client, session, "dispatch.tdm", job, own).status_code == 200


def test_an_admin_assigns_any_job_to_any_courier(client: TestClient, session: Session) -> None:
    """Admins keep the whole province."""
    code = book(client)["tracking_code"]
    job = _pickup(client, session, code)
    assert _assign(client, session, "admin", job, _da_courier(session)).status_code == 200


def _listed(client: TestClient, session: Session, who: str) -> set[str]:
    response = client.get(
        "/api/v1/jobs",
        params={"on": booking_day().isoformat()},
        headers=headers_for(session, who),
    )
    assert response.status_code == 200, response.text
    return {j["tracking_code"] for j in response.json()}


def test_the_job_list_holds_only_the_dispatchers_office(
    client: TestClient, session: Session
) -> None:
    """GET /jobs as DA lists the Di An booking and no Thu Dau Mot one; TDM the reverse; admin both."""
    tdm = book(client)["tracking_code"]
    da = book(client, **NEAR_DA)["tracking_code"]
    assert da in _listed(client, session, "dispatch.da")
    assert tdm not in _listed(client, session, "dispatch.da")
    assert tdm in _listed(client, session, "dispatch.tdm")
    assert da not in _listed(client, session, "dispatch.tdm")
    assert {tdm, da} <= _listed(client, session, "admin")


def test_the_roster_of_a_dispatcher_is_their_offices(client: TestClient, session: Session) -> None:
    """DA's dispatcher lists only BD-PO-DA-1 couriers, and none when asking for another office."""
    headers = headers_for(session, "dispatch.da")
    roster = client.get("/api/v1/couriers", headers=headers).json()
    assert roster
    assert {c["post_office_code"] for c in roster} == {DA}
    other = client.get("/api/v1/couriers", params={"post_office": TDM}, headers=headers)
    assert other.status_code == 200
    assert other.json() == []
    everyone = client.get("/api/v1/couriers", headers=headers_for(session, "admin")).json()
    assert {TDM, DA} <= {c["post_office_code"] for c in everyone}


def _request(client: TestClient, session: Session, who: str, **body: Any) -> Any:
    body = {"service_on": booking_day().isoformat(), **body}
    return client.post("/api/v1/plans", json=body, headers=headers_for(session, who))


def test_a_dispatcher_may_not_plan_another_office(client: TestClient, session: Session) -> None:
    """DA's dispatcher asking for TDM's depot (alone or with their own) is refused, no plan made."""
    for depots in ([TDM], [DA, TDM]):
        refused = _request(client, session, "dispatch.da", depots=depots)
        assert refused.status_code == 403, refused.text
    assert session.scalar(select(func.count()).select_from(Plan)) == 0


def test_a_dispatchers_plan_defaults_to_their_office(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without depots DA's dispatcher gets a plan of BD-PO-DA-1 (naming it, the same plan, still
    queued); an admin's is of every depot (another day: DA's plan of this one is being built)."""
    monkeypatch.setattr("courier.outbox.service.enqueue", lambda *args, **kwargs: None)
    own = _request(client, session, "dispatch.da")
    assert own.status_code == 202, own.text
    assert own.json()["depot_ids"] == [site_id(session, DA)]
    named = _request(client, session, "dispatch.da", depots=[DA])
    assert (named.status_code, named.json()["id"]) == (200, own.json()["id"])
    later = calendar.next_working_day(booking_day()).isoformat()
    assert _request(client, session, "admin", service_on=later).json()["depot_ids"] is None


def _plan_of(session: Session, settings: Settings, depots: list[str] | None) -> int:
    plan = requesting.request_plan(
        session,
        None,
        service_on=booking_day(),
        depot_codes=depots,
        settings=settings,
        enqueue_build=False,
    )
    session.commit()
    return plan.id


PLAN_CALLS = [
    ("get", "/api/v1/plans/{plan}", None),
    ("post", "/api/v1/plans/{plan}/build", None),
    ("post", "/api/v1/plans/{plan}/publish", None),
    ("post", "/api/v1/plans/{plan}/locks", {"job_id": 1, "courier_id": 1, "position": 0}),
    ("get", "/api/v1/plans/{plan}/locks", None),
    ("post", "/api/v1/plans/{plan}/moves", {"job_id": 1, "courier_id": 1}),
    ("post", "/api/v1/plans/{plan}/replan", {}),
    ("get", "/api/v1/plans/{plan}/sheets/{courier}.pdf", None),
]


@pytest.mark.parametrize("depots", [[TDM], [TDM, DA], None])
@pytest.mark.parametrize(("method", "path", "body"), PLAN_CALLS)
def test_a_plan_beyond_the_dispatchers_office_is_refused(
    client: TestClient,
    session: Session,
    settings: Settings,
    depots: list[str] | None,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    """DA's dispatcher is refused (403) a plan of TDM, of TDM and DA, or of every depot."""
    plan = _plan_of(session, settings, depots)
    url = path.format(plan=plan, courier=_da_courier(session))
    before = counts(session)
    response = client.request(method, url, json=body, headers=headers_for(session, "dispatch.da"))
    assert response.status_code == 403, response.text
    assert counts(session) == before


@pytest.mark.parametrize(("who", "status"), [("dispatch.tdm", 200), ("admin", 200)])
def test_the_plan_of_an_office_is_read_by_its_dispatcher_and_admins(
    client: TestClient, session: Session, settings: Settings, who: str, status: int
) -> None:
    """TDM's plan is read by TDM's dispatcher and by admins."""
    plan = _plan_of(session, settings, [TDM])
    response = client.get(f"/api/v1/plans/{plan}", headers=headers_for(session, who))
    assert response.status_code == status


def test_a_route_sheet_only_for_the_dispatchers_own_courier(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """In TDM's own plan, TDM's dispatcher may not print a Di An courier's sheet."""
    plan = _plan_of(session, settings, [TDM])
    url = f"/api/v1/plans/{plan}/sheets/{_da_courier(session)}.pdf"
    assert client.get(url, headers=headers_for(session, "dispatch.tdm")).status_code == 403


def test_a_move_in_an_own_plan_takes_only_the_offices_jobs(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """In DA's built plan, moving a Thu Dau Mot job is refused on job_id (422); a Di An one is kept."""
    plan_id = _plan_of(session, settings, [DA])
    session.get_one(Plan, plan_id).status = PlanStatus.BUILT
    session.commit()
    theirs = _pickup(client, session, book(client)["tracking_code"])
    own = _pickup(client, session, book(client, **NEAR_DA)["tracking_code"])
    url, headers = f"/api/v1/plans/{plan_id}/moves", headers_for(session, "dispatch.da")
    refused = client.post(
        url, json={"job_id": theirs, "courier_id": _da_courier(session)}, headers=headers
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "job_id"]
    kept = client.post(
        url, json={"job_id": own, "courier_id": _da_courier(session)}, headers=headers
    )
    assert kept.status_code == 201, kept.text


@pytest.fixture
def unbound(session: Session) -> dict[str, str]:
    """A dispatcher account bound to no post office (the column allows it; the CLI does not)."""
    session.add(User(username="dispatch.none", password_hash="x", role=Role.DISPATCHER))
    session.commit()
    return headers_for(session, "dispatch.none")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/jobs", None),
        ("get", "/api/v1/couriers", None),
        ("post", "/api/v1/plans", {"service_on": booking_day().isoformat()}),
    ],
)
def test_a_dispatcher_bound_to_no_office_is_told_so(
    client: TestClient,
    unbound: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    """Lists and plans answer 403 naming the missing post office."""
    response = client.request(method, path, json=body, headers={**unbound, "Accept-Language": "en"})
    assert response.status_code == 403
    assert "bound to no post office" in response.json()["detail"]


def test_a_dispatcher_bound_to_no_office_sees_no_dossier(
    client: TestClient, unbound: dict[str, str]
) -> None:
    """A dossier is as unknown to them as one that does not exist."""
    code = book(client)["tracking_code"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=unbound).status_code == 404
