"""The refusals of the staff endpoints (statistics, webhooks, dossiers, jobs, plans) in the caller's
language: Vietnamese by default, English when asked, never a hard-coded English sentence."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from courier.planning import requesting
from courier.settings import Settings
from tests.builders import booking_day, headers_for
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
