"""Booking refusals a citizen can read: each 422 names the field and says what to do, in their
language, never echoing the input; consent only as JSON true; the consent text and its page."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from courier.settings import Settings
from tests.builders import booking_body, login_as, weekend_day

EN = {"Accept-Language": "en"}

# field, bad value, words of the English advice, words of the Vietnamese advice
BAD_FIELDS: list[tuple[str, Any, str, str]] = [
    ("phone", "12345", "Vietnamese mobile number, e.g. 0912 345 678", "số di động Việt Nam"),
    ("applicant_name", "A", "at least 2 characters", "ít nhất 2 ký tự"),
    ("address_text", "x" * 501, "at most 500 characters", "tối đa 500 ký tự"),
    ("lat", "north", "a number", "một số"),
    ("lat", 95, "at most 90", "không lớn hơn 90"),
    ("lon", 105.0, "in the province", "trong tỉnh"),
    ("preferred_on", "02/12/2026", "yyyy-mm-dd", "yyyy-mm-dd"),
    ("preferred_on", "2020-01-06", "today or a later day", "hôm nay"),
    ("slot", "evening", "choose one of", "hãy chọn một trong"),
    ("result_return", "pigeon", "choose one of", "hãy chọn một trong"),
    ("consent", False, "tick the box", "đánh dấu vào ô"),
    ("consent_version", "1999-01-01", "has changed", "đã thay đổi"),
    ("procedure_code", "NO-SUCH", "choose one from the list", "chọn thủ tục"),
]
LABELS = {
    "phone": ("Phone number", "Số điện thoại"),
    "applicant_name": ("Full name", "Họ và tên"),
    "address_text": ("Address", "Địa chỉ"),
    "lat": ("Latitude", "Vĩ độ"),
    "lon": ("Longitude", "Kinh độ"),
    "preferred_on": ("Pickup day", "Ngày thu gom"),
    "slot": ("Time of day", "Buổi thu gom"),
    "result_return": ("Getting the result back", "Hình thức nhận kết quả"),
    "consent": ("Consent to personal-data processing", "Đồng ý xử lý dữ liệu cá nhân"),
    "consent_version": ("Consent version", "Phiên bản văn bản đồng ý"),
    "procedure_code": ("Procedure", "Thủ tục"),
}


def _post(client: TestClient, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.post("/api/v1/bookings", json=body, headers=headers or {})


@pytest.mark.parametrize(
    ("field", "value", "english", "vietnamese"),
    BAD_FIELDS,
    ids=[f"{f}-{i}" for i, (f, *_) in enumerate(BAD_FIELDS)],
)
def test_each_refusal_names_the_field_and_says_what_to_do_in_both_languages(
    client: TestClient, field: str, value: Any, english: str, vietnamese: str
) -> None:
    """Vietnamese by default, English on request: «label»: advice, with a stable type."""
    body = booking_body(**{field: value})
    for headers, label, words in (
        ({}, LABELS[field][1], vietnamese),
        (EN, LABELS[field][0], english),
    ):
        response = _post(client, body, headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-language"] == ("en" if headers else "vi")
        problems = [p for p in response.json()["detail"] if p["field"] == field]
        assert len(problems) == 1, response.json()
        problem = problems[0]
        assert problem["msg"].startswith(f"«{label}»: "), problem
        assert words in problem["msg"], problem
        assert problem["type"]
        assert problem["loc"][-1] == field
        assert set(problem) == {"loc", "field", "msg", "type"}


def test_a_missing_field_is_required_in_the_visitors_language(client: TestClient) -> None:
    """A field left out: «Số điện thoại»: thông tin bắt buộc…"""
    body = booking_body()
    del body["phone"]
    vi = _post(client, body).json()["detail"]
    assert [p["msg"] for p in vi] == ["«Số điện thoại»: bắt buộc: vui lòng điền thông tin này"]
    assert vi[0]["type"] == "missing"
    en = _post(client, body, EN).json()["detail"]
    assert en[0]["msg"] == "«Phone number»: this is required: please fill it in"


def test_the_language_switch_cookie_wins_over_accept_language(client: TestClient) -> None:
    """The visitor chose English on the site: the API answers English too."""
    client.cookies.set("lang", "en")
    try:
        answer = _post(client, booking_body(phone="12"), {"Accept-Language": "vi"})
    finally:
        client.cookies.clear()
    assert answer.json()["detail"][0]["msg"].startswith("«Phone number»")


def test_a_weekend_day_asks_for_a_working_day(client: TestClient) -> None:
    """A Sunday is refused on preferred_on, saying which days can be chosen."""
    detail = _post(client, booking_body(preferred_on=weekend_day().isoformat()), EN).json()
    assert [p["field"] for p in detail["detail"]] == ["preferred_on"]
    assert "working day" in detail["detail"][0]["msg"]


@pytest.mark.parametrize("value", ["true", 1, "yes", "on"])
def test_consent_is_only_the_json_value_true(client: TestClient, value: Any) -> None:
    """A string or a number is not consent: 422 on consent asking to tick the box."""
    response = _post(client, booking_body(consent=value), EN)
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["field"] == "consent"
    assert problem["type"] == "bool_type"
    assert "tick the box" in problem["msg"]


def test_invalid_json_says_so_without_echoing_it(client: TestClient) -> None:
    """A broken body: one problem, the JSON is invalid, nothing of the body comes back."""
    response = client.post(
        "/api/v1/bookings",
        content=b'{"applicant_name": "SECRET-NAME", ',
        headers={"Content-Type": "application/json", **EN},
    )
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["type"] == "json_invalid"
    assert "not valid JSON" in problem["msg"]
    assert "SECRET-NAME" not in response.text


def test_a_huge_name_gets_a_small_answer(client: TestClient) -> None:
    """A name of 1.9 MB (under the body limit) is refused in under 10 KB, nothing echoed."""
    name = "Nguyen " * 270_000
    response = _post(client, booking_body(applicant_name=name, phone="0"))
    assert response.status_code == 422
    assert len(response.content) < 10_000
    assert "Nguyen Nguyen" not in response.text
    assert {p["field"] for p in response.json()["detail"]} == {"applicant_name", "phone"}


def test_unknown_fields_are_named_and_not_echoed(client: TestClient) -> None:
    """An extra field is refused by name, its value not repeated."""
    response = _post(client, booking_body(nickname="x" * 5000), EN)
    (problem,) = response.json()["detail"]
    assert (problem["field"], problem["type"]) == ("nickname", "extra_forbidden")
    assert "xxxxx" not in response.text


def test_batch_rows_say_their_number(client: TestClient) -> None:
    """In a batch, a bad row's sentence starts with its row number (1-based)."""
    headers = {**login_as(client, "citizen"), **EN}
    rows = [booking_body(), booking_body(phone="1")]
    response = client.post("/api/v1/bookings/batch", json={"rows": rows}, headers=headers)
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "rows", 1, "phone"]
    assert problem["msg"].startswith("Row 2, «Phone number»")


def test_consent_text_in_both_languages_with_its_version(client: TestClient) -> None:
    """GET /api/v1/consent: the version a booking sends, Vietnamese first, both texts."""
    vi = client.get("/api/v1/consent").json()
    assert vi["version"] == Settings().consent_version
    assert vi["language"] == "vi"
    assert vi["text"] == vi["texts"]["vi"]
    assert "Quyền của bạn" in vi["text"]
    assert "Rút lại sự đồng ý" in vi["text"]
    en = client.get("/api/v1/consent", params={"lang": "en"}).json()
    assert en["language"] == "en"
    assert "withdraw" in en["text"]
    assert client.get("/api/v1/consent", headers=EN).json()["language"] == "en"


def test_the_privacy_page_shows_the_consent_text(client: TestClient) -> None:
    """/privacy (linked from every page's footer) renders the current text in the language."""
    page = client.get("/privacy")
    assert page.status_code == 200
    assert "Đồng ý xử lý dữ liệu cá nhân" in page.text
    assert "Rút lại sự đồng ý" in page.text
    english = client.get("/privacy", headers=EN)
    assert "Withdrawing consent" in english.text
