"""The refusals of the staff endpoints (statistics, webhooks, dossiers, jobs, plans, route sheets,
handovers) in the caller's language: Vietnamese by default, English when asked, never a hard-coded
English sentence."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from courier.planning import requesting
from courier.settings import Settings
from tests.builders import (
    book,
    booking_day,
    courier_id,
    find_job,
    handover_body,
    headers_for,
    pick_up,
    post_handover,
    site_id,
)
from tests.courier.planning.bookings import DEPOT

EN = {"Accept-Language": "en"}
JUNE = {"from": "2026-06-01", "to": "2026-06-30"}
HOOK = {"url": "https://center.example/courier", "site_code": "BD-TA"}


@pytest.mark.parametrize(
    ("user", "method", "path", "json", "status", "vi", "en"),
    [
        (
            "center.tdm",
            "GET",
            "/api/v1/stats/sites/BD-TA",
            None,
            403,
            "Số liệu thống kê của một trung tâm chỉ dành cho nhân viên, hệ thống của trung tâm đó "
            "và quản trị viên.",
            "A center's statistics are for its staff, its system and admins.",
        ),
        (
            "admin",
            "GET",
            "/api/v1/stats/sites/BD-NONE",
            None,
            404,
            "Không có trung tâm BD-NONE.",
            "No center BD-NONE.",
        ),
        (
            "center.tdm",
            "POST",
            "/api/v1/webhooks",
            HOOK,
            403,
            "Nhân viên và hệ thống của một trung tâm chỉ quản lý webhook của chính trung tâm mình.",
            "A center's staff and system manage their own center's webhooks.",
        ),
        (
            "citizen.an",
            "GET",
            "/api/v1/webhooks",
            None,
            403,
            "Chỉ nhân viên, hệ thống của trung tâm và quản trị viên mới quản lý được webhook của "
            "trung tâm.",
            "Only a center's staff, its system and admins manage its webhooks.",
        ),
        (
            "admin",
            "GET",
            "/api/v1/webhooks/999999/deliveries",
            None,
            404,
            "Không có webhook 999999.",
            "No webhook 999999.",
        ),
        (
            "admin",
            "GET",
            "/api/v1/dossiers/HS702814510VN",
            None,
            404,
            "Không có hồ sơ HS702814510VN.",
            "No dossier HS702814510VN.",
        ),
        (
            "citizen.an",
            "GET",
            "/api/v1/dossiers",
            None,
            403,
            "Chỉ nhân viên trung tâm, điều phối viên và quản trị viên mới xem được danh sách hồ sơ.",
            "Only center staff, dispatchers and admins list dossiers.",
        ),
        (
            "dispatch.tdm",
            "GET",
            "/api/v1/plans/999999",
            None,
            404,
            "Không có kế hoạch 999999.",
            "No plan 999999.",
        ),
        (
            "dispatch.tdm",
            "GET",
            "/api/v1/jobs/999999",
            None,
            404,
            "Không có việc 999999.",
            "No job 999999.",
        ),
        (
            "center.tdm",
            "GET",
            "/api/v1/plans",
            None,
            403,
            "Chỉ điều phối viên và quản trị viên mới được làm việc này.",
            "Only dispatchers and admins do this.",
        ),
        (
            "dispatch.tdm",
            "GET",
            "/api/v1/couriers/me",
            None,
            403,
            "Chỉ tài khoản bưu tá mới có thông tin bưu tá và lộ trình.",
            "Only couriers have a courier profile and a route.",
        ),
        (
            "admin",
            "GET",
            "/api/v1/handovers/999999",
            None,
            404,
            "Không có lần bàn giao 999999.",
            "No handover 999999.",
        ),
    ],
)
def test_a_refusal_is_vietnamese_by_default_and_english_when_asked(
    client: TestClient,
    session: Session,
    user: str,
    method: str,
    path: str,
    json: dict[str, str] | None,
    status: int,
    vi: str,
    en: str,
) -> None:
    """The same refusal twice: without Accept-Language, then in English."""
    headers = headers_for(session, user)
    params = JUNE if "/stats/" in path else None
    first = client.request(method, path, json=json, params=params, headers=headers)
    assert first.status_code == status, first.text
    assert first.json()["detail"] == vi
    asked = client.request(method, path, json=json, params=params, headers={**headers, **EN})
    assert asked.json()["detail"] == en


def test_a_plan_refused_for_its_status_names_the_status_in_the_language(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """Publishing a plan still queued: 409 naming its status in Vietnamese, or in English."""
    plan = requesting.request_plan(
        session,
        None,
        service_on=booking_day(),
        depot_codes=[DEPOT],
        settings=settings,
        enqueue_build=False,
    )
    session.commit()
    url, headers = f"/api/v1/plans/{plan.id}/publish", headers_for(session, "dispatch.tdm")
    vi = client.post(url, headers=headers)
    assert vi.status_code == 409, vi.text
    assert vi.json()["detail"] == (
        f"Kế hoạch {plan.id} đang chờ lập; chỉ công bố được kế hoạch đã lập xong."
    )
    en = client.post(url, headers={**headers, **EN}).json()["detail"]
    assert en == f"Plan {plan.id} is queued; only a built plan is published."


def _answers(
    client: TestClient, method: str, url: str, headers: dict[str, str], status: int
) -> tuple[str, str]:
    """The refusal's detail without Accept-Language, then in English."""
    vi = client.request(method, url, headers=headers)
    assert vi.status_code == status, vi.text
    en = client.request(method, url, headers={**headers, **EN})
    assert en.status_code == status, en.text
    return vi.json()["detail"], en.json()["detail"]


def test_the_dispatcher_sheet_refusals_are_in_the_language(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """Another office's (or no) courier's sheet: 403; a courier with no stops in the plan: 404."""
    plan = requesting.request_plan(
        session,
        None,
        service_on=booking_day(),
        depot_codes=[DEPOT],
        settings=settings,
        enqueue_build=False,
    )
    session.commit()
    url = f"/api/v1/plans/{plan.id}/sheets/999999.pdf"
    assert _answers(client, "GET", url, headers_for(session, "dispatch.tdm"), 403) == (
        "Điều phối viên chỉ in được phiếu lộ trình của bưu tá thuộc bưu cục của mình.",
        "A dispatcher prints the route sheets of their own post office's couriers only.",
    )
    assert _answers(client, "GET", url, headers_for(session, "admin"), 404) == (
        f"Bưu tá 999999 không có điểm dừng nào trong kế hoạch {plan.id}.",
        f"Courier 999999 has no stops in plan {plan.id}.",
    )


def test_a_failed_attempt_on_a_job_not_assigned_is_refused_in_the_language(
    client: TestClient, session: Session
) -> None:
    """The pickup is done: an attempt on it answers 409 in Vietnamese, or in English."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    job_id = find_job(client, headers_for(session, "dispatch.tdm"), code, "inbound", "pickup")
    courier = headers_for(session, "bd-cr-tdm-01")
    url, body = f"/api/v1/jobs/{job_id}/attempts", {"reason": "not_home"}
    vi = client.post(url, json=body, headers=courier)
    assert vi.status_code == 409, vi.text
    assert vi.json()["detail"] == (
        f"Việc {job_id} hiện không ở trạng thái đã giao; chỉ việc đã giao mới ghi nhận lần không "
        "thành công."
    )
    en = client.post(url, json=body, headers={**courier, **EN}).json()["detail"]
    assert en == f"Job {job_id} is not assigned now; only an assigned job records a failed attempt."


def test_custody_refusals_are_in_the_language(client: TestClient, session: Session) -> None:
    """Handing a dossier in at another center, and handing in one another courier holds: 409 in
    Vietnamese by default (the holder named in the language), in English when asked."""
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code, "BD-CR-TDM-01")
    by_courier = {"kind": "courier", "id": cid}
    other = {"kind": "center", "id": site_id(session, "BD-TA")}
    own = {"kind": "center", "id": site_id(session, "BD-TDM")}
    stranger = {"kind": "courier", "id": courier_id(session, "BD-CR-TDM-02")}
    admin = headers_for(session, "admin")
    cases = [
        (
            by_courier,
            other,
            courier,
            f"Hồ sơ {code} phải được giao đến một trung tâm khác.",
            f"Dossier {code} is bound for another center.",
        ),
        (
            stranger,
            own,
            admin,
            f"Bên giao không giữ hồ sơ {code}: hồ sơ đang do một bưu tá giữ.",
            f"Dossier {code} is not held by the giver: a courier holds it.",
        ),
    ]
    for giver, receiver, headers, vi, en in cases:
        answer = post_handover(client, handover_body(giver, receiver, [code]), headers)
        assert answer.status_code == 409, answer.text
        assert answer.json()["detail"] == vi
        asked = post_handover(client, handover_body(giver, receiver, [code]), {**headers, **EN})
        assert asked.json()["detail"] == en


def test_a_handover_field_problem_is_in_the_language(client: TestClient, session: Session) -> None:
    """A hand-in without a site or a GPS point: 422 naming site_id, the advice in Vietnamese by
    default, in English when asked."""
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code)
    giver, center = (
        {"kind": "courier", "id": cid},
        {"kind": "center", "id": site_id(session, "BD-TDM")},
    )

    def advice(headers: dict[str, str]) -> str:
        body = handover_body(giver, center, [code], lat=None, lon=None)
        answer = post_handover(client, body, headers)
        assert answer.status_code == 422, answer.text
        found = [p for p in answer.json()["detail"] if p["loc"] == ["body", "handover", "site_id"]]
        return str(found[0]["msg"])

    assert advice(courier) == "«site_id»: ghi nơi bàn giao hoặc vị trí GPS (lat, lon)"
    assert advice({**courier, **EN}) == "«site_id»: give the site or the GPS point (lat, lon)"
