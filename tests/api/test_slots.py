"""The slots a booking can still take and the wards that place an approximate pickup point."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from courier import calendar
from tests.builders import HO_CHI_MINH, booking_body, login_as

THU_DAU_MOT = {"lat": 10.981, "lon": 106.655}  # nearest branch BD-TDM opens Saturday mornings
BEN_CAT = {"lat": 11.150, "lon": 106.600}  # nearest branch BD-BC does not


def _slots(client: TestClient, **params: Any) -> Any:
    answer = client.get("/api/v1/slots", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _next_saturday() -> date:
    day = calendar.local_today(datetime.now(UTC), HO_CHI_MINH) + timedelta(days=1)
    while day.isoweekday() != 6 or calendar.is_holiday(day):
        day += timedelta(days=1)
    return day


def test_slots_are_working_days_labelled_in_the_language(client: TestClient) -> None:
    """Without a procedure and a point: Monday-Friday only, labels in Vietnamese or English."""
    vi = _slots(client)
    en = client.get("/api/v1/slots", headers={"Accept-Language": "en"}).json()
    assert vi["receiving_site"] is None
    slots = vi["slots"]
    assert len(slots) >= 18
    assert all(date.fromisoformat(s["on"]).isoweekday() <= 5 for s in slots)
    assert {s["label"].split()[0] for s in slots} <= {"Sáng", "Chiều"}
    assert {s["label"].split()[0] for s in en["slots"]} <= {"Morning", "Afternoon"}
    assert en["slots"][0]["day_label"].split()[0] in {
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
    }


def test_saturday_mornings_only_where_the_receiving_site_opens_them(client: TestClient) -> None:
    """A branch procedure near Thủ Dầu Một offers Saturday mornings, near Bến Cát it does not."""
    saturday = _next_saturday().isoformat()
    near_tdm = _slots(client, procedure_code="HT-01", **THU_DAU_MOT)
    near_bc = _slots(client, procedure_code="HT-01", **BEN_CAT)
    assert near_tdm["receiving_site"]["code"] == "BD-TDM"
    assert near_bc["receiving_site"]["code"] == "BD-BC"
    on_saturday = [s["slot"] for s in near_tdm["slots"] if s["on"] == saturday]
    assert on_saturday == ["morning"]
    assert not [s for s in near_bc["slots"] if s["on"] == saturday]


def test_a_saturday_morning_books_only_at_a_site_open_then(client: TestClient) -> None:
    """The booking rules agree with the list: Saturday morning near Thủ Dầu Một, not Bến Cát."""
    saturday = _next_saturday().isoformat()
    accepted = client.post(
        "/api/v1/bookings", json=booking_body(preferred_on=saturday, **THU_DAU_MOT)
    )
    refused = client.post("/api/v1/bookings", json=booking_body(preferred_on=saturday, **BEN_CAT))
    afternoon = client.post(
        "/api/v1/bookings",
        json=booking_body(preferred_on=saturday, slot="afternoon", **THU_DAU_MOT),
    )
    assert accepted.status_code == 201, accepted.text
    assert refused.status_code == 422
    assert afternoon.status_code == 422
    assert [e["loc"][-1] for e in refused.json()["detail"]] == ["preferred_on"]


def test_an_unknown_procedure_is_refused(client: TestClient) -> None:
    """Slots for a procedure that does not exist: 422 naming the procedure."""
    answer = client.get("/api/v1/slots", params={"procedure_code": "XX-99", **THU_DAU_MOT})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "procedure_code"


def test_wards_of_the_province_by_district(client: TestClient) -> None:
    """All 91 wards and communes of Bình Dương, each inside the service area, by district."""
    wards = client.get("/api/v1/wards").json()
    assert len(wards) == 91
    assert len({w["district_vi"] for w in wards}) == 9
    assert all(10.85 <= w["lat"] <= 11.50 and 106.33 <= w["lon"] <= 106.98 for w in wards)
    thu_dau_mot = client.get("/api/v1/wards", params={"district": "thu dau mot"}).json()
    assert len(thu_dau_mot) == 14
    assert {w["district_en"] for w in thu_dau_mot} == {"Thu Dau Mot City"}


def test_wards_are_found_without_diacritics(client: TestClient) -> None:
    """Typing "phu cuong" finds Phường Phú Cường."""
    found = client.get("/api/v1/wards", params={"q": "phu cuong"}).json()
    assert [w["name_vi"] for w in found] == ["Phường Phú Cường"]
    assert found[0]["name_en"] == "Phu Cuong Ward"


def test_an_api_booking_says_its_point_was_given(client: TestClient) -> None:
    """Coordinates sent by a client are "given"; staff see how each point was set."""
    code = client.post("/api/v1/bookings", json=booking_body()).json()["tracking_code"]
    headers = login_as(client, "admin")
    dossier = client.get(f"/api/v1/dossiers/{code}", headers=headers).json()
    assert dossier["point_source"] == "given"
