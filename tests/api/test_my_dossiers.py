"""«Hồ sơ của tôi»: an account sees only the dossiers it booked, in the API and on its pages."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api import signin
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.enums import Role
from courier.settings import Settings
from tests.builders import booking_body, headers_for, site_id

CITIZEN, ENTERPRISE = "citizen.an", "enterprise.minhphat"
PASSWORDS = {CITIZEN: "demo-citizen-2026", ENTERPRISE: "demo-enterprise-2026"}
SAME_SITE = {"Origin": "http://testserver"}


def _book(client: TestClient, headers: dict[str, str], name: str, phone: str) -> str:
    body = booking_body(applicant_name=name, phone=phone)
    response = client.post("/api/v1/bookings", json=body, headers=headers)
    assert response.status_code == 201, response.text
    code: str = response.json()["tracking_code"]
    return code


def _other_citizen(session: Session) -> dict[str, str]:
    accounts.create_user(
        session, username="citizen.binh", password="another-citizen-2026", role=Role.CITIZEN
    )
    session.commit()
    return headers_for(session, "citizen.binh")


def _world(client: TestClient, session: Session) -> dict[str, Any]:
    """Two bookings of citizen.an, one of another citizen, one without an account."""
    mine = headers_for(session, CITIZEN)
    first = _book(client, mine, "Nguyễn Văn An", "0912 345 678")
    second = _book(client, mine, "Trần Thị Bích", "0987 111 222")
    other = _book(client, _other_citizen(session), "Lê Văn Cường", "0903 333 444")
    anonymous = _book(client, {}, "Phạm Thị Dung", "0934 555 666")
    return {"mine": [second, first], "other": other, "anonymous": anonymous, "headers": mine}


def _sign_in(client: TestClient, username: str, password: str = "") -> Any:
    form = {"username": username, "password": password or PASSWORDS[username]}
    return client.post("/me/login", data=form, headers=SAME_SITE, follow_redirects=False)


def test_the_api_lists_only_the_accounts_own_dossiers_newest_first(
    client: TestClient, session: Session
) -> None:
    """GET /me/dossiers answers the caller's bookings, not another account's nor anonymous ones."""
    world = _world(client, session)
    headers = {**world["headers"], "Accept-Language": "en"}
    response = client.get("/api/v1/me/dossiers", headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [d["tracking_code"] for d in answer["dossiers"]] == world["mine"]
    assert answer["total"] == 2
    assert answer["dossiers"][0]["applicant_name"] == "Trần Thị Bích"
    assert answer["dossiers"][0]["status_label"] == "Pickup booked"
    assert response.headers["cache-control"] == "no-store"
    assert "Lê Văn Cường" not in response.text
    assert "Phạm Thị Dung" not in response.text


def test_the_api_pages_the_list(client: TestClient, session: Session) -> None:
    """per_page and page walk the list; the answer says how many pages there are."""
    world = _world(client, session)
    response = client.get("/api/v1/me/dossiers?per_page=1&page=2", headers=world["headers"])
    answer = response.json()
    assert [d["tracking_code"] for d in answer["dossiers"]] == world["mine"][1:]
    assert (answer["page"], answer["per_page"], answer["pages"]) == (2, 1, 2)


def test_the_api_needs_an_account_or_an_enterprise_key(
    client: TestClient, session: Session
) -> None:
    """Anonymous callers get 401, a center system's key 403; an enterprise key its owner's list."""
    assert client.get("/api/v1/me/dossiers").status_code == 401
    _, site_key = accounts.create_api_key(session, name="TDM", site_id=site_id(session, "BD-TDM"))
    owner = session.scalar(select(User.id).where(User.username == ENTERPRISE))
    _, enterprise_key = accounts.create_api_key(session, name="Minh Phat", owner_id=owner)
    session.commit()
    assert client.get("/api/v1/me/dossiers", headers={"X-API-Key": site_key}).status_code == 403
    booked = _book(client, {"X-API-Key": enterprise_key}, "Đỗ Văn Em", "0911 222 333")
    answer = client.get("/api/v1/me/dossiers", headers=headers_for(session, ENTERPRISE)).json()
    assert [d["tracking_code"] for d in answer["dossiers"]] == [booked]


def test_the_page_asks_to_sign_in_with_labelled_fields(client: TestClient) -> None:
    """Without a session /me is a sign-in form with visible labels, not stored by the browser."""
    response = client.get("/me", headers={"Accept-Language": "vi"})
    assert response.status_code == 200
    assert '<label for="username">Tên đăng nhập</label>' in response.text
    assert '<label for="password">Mật khẩu</label>' in response.text
    assert response.headers["cache-control"] == "no-store"


def test_signing_in_sets_a_strict_http_only_cookie_and_lists_own_dossiers(
    client: TestClient, session: Session
) -> None:
    """After signing in, /me lists the account's dossiers and nobody else's."""
    world = _world(client, session)
    answer = _sign_in(client, CITIZEN)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/me"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie
    page = client.get("/me")
    assert all(code in page.text for code in world["mine"])
    assert world["other"] not in page.text
    assert world["anonymous"] not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_an_owner_opens_its_dossier_and_another_accounts_is_not_found(
    client: TestClient, session: Session
) -> None:
    """The owner's dossier page shows its details and timeline; another's answers 404."""
    world = _world(client, session)
    _sign_in(client, CITIZEN)
    own = client.get(f"/me/dossiers/{world['mine'][0]}", headers={"Accept-Language": "en"})
    assert own.status_code == 200
    assert "Trần Thị Bích" in own.text
    assert "0987 111 222" in own.text
    assert "Pickup booked" in own.text
    assert 'class="timeline"' in own.text
    for code in (world["other"], world["anonymous"], "HS000000000VN"):
        refused = client.get(f"/me/dossiers/{code}")
        assert refused.status_code == 404
        assert "Lê Văn Cường" not in refused.text
        assert "Phạm Thị Dung" not in refused.text


def test_a_wrong_password_and_an_unknown_user_read_the_same(client: TestClient) -> None:
    """Both answer 401 with the same page (bar the typed username) and set no cookie."""
    wrong = _sign_in(client, CITIZEN, "not-the-password")
    unknown = _sign_in(client, "nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.text.replace(CITIZEN, "X") == unknown.text.replace("nobody.here", "X")
    assert "set-cookie" not in wrong.headers
    assert "set-cookie" not in unknown.headers


def test_a_sign_in_from_another_site_is_refused(client: TestClient) -> None:
    """A POST whose Origin is another site, or that has neither Origin nor Referer, is 403."""
    form = {"username": CITIZEN, "password": PASSWORDS[CITIZEN]}
    for headers in ({"Origin": "https://evil.example"}, {}, {"Referer": "https://evil.example/x"}):
        answer = client.post("/me/login", data=form, headers=headers, follow_redirects=False)
        assert answer.status_code == 403, headers
        assert "set-cookie" not in answer.headers
    referer = {"Referer": "http://testserver/me"}
    answer = client.post("/me/login", data=form, headers=referer, follow_redirects=False)
    assert answer.status_code == 303


def test_staff_are_sent_to_their_own_screens(client: TestClient) -> None:
    """A dispatcher signing in here gets no session, and a page saying where staff work."""
    answer = client.post(
        "/me/login",
        data={"username": "dispatch.tdm", "password": "demo-dispatch-2026"},
        headers={**SAME_SITE, "Accept-Language": "en"},
    )
    assert answer.status_code == 403
    assert "staff account" in answer.text
    assert "set-cookie" not in answer.headers


def test_a_disabled_account_is_signed_out_at_once(client: TestClient, session: Session) -> None:
    """The session is checked against the account on every request."""
    _sign_in(client, CITIZEN)
    assert 'action="/me/logout"' in client.get("/me").text
    session.execute(update(User).where(User.username == CITIZEN).values(active=False))
    session.commit()
    assert 'action="/me/login"' in client.get("/me").text


def test_a_forged_or_expired_session_counts_as_none(client: TestClient, session: Session) -> None:
    """A cookie with another user id, a bad signature or a past expiry shows the sign-in form."""
    user_id = session.scalar(select(User.id).where(User.username == CITIZEN))
    settings = Settings(secret_key="test-secret-key-long-enough-for-hs256-signing")
    good = signin._signature(settings, user_id or 0, 4_000_000_000)
    for value in (
        f"{(user_id or 0) + 1}.4000000000.{good}",
        f"{user_id}.4000000000.{'0' * 64}",
        f"{user_id}.1000.{signin._signature(settings, user_id or 0, 1000)}",
    ):
        client.cookies.set(signin.COOKIE, value)
        assert 'action="/me/login"' in client.get("/me").text
    client.cookies.set(signin.COOKIE, f"{user_id}.4000000000.{good}")
    assert 'action="/me/logout"' in client.get("/me").text


def test_signing_out_forgets_the_account(client: TestClient) -> None:
    """Sign out clears the cookie and the dossiers opened here; /me asks to sign in again."""
    _sign_in(client, CITIZEN)
    client.cookies.set("dossier_HS000000005VN", "5678.1.x")  # a dossier opened on this computer
    answer = client.post("/me/logout", headers=SAME_SITE, follow_redirects=False)
    assert answer.status_code == 303
    cleared = answer.headers.get_list("set-cookie")
    assert any(c.startswith('dossier_HS000000005VN=""') and "Max-Age=0" in c for c in cleared)
    assert 'action="/me/login"' in client.get("/me").text


def test_the_cookie_is_secure_behind_https(client: TestClient, settings: Settings) -> None:
    """With an https public address the session cookie is Secure."""
    settings.public_base_url = "https://dichvucong.example.vn"
    answer = _sign_in(client, CITIZEN)
    assert "Secure" in answer.headers["set-cookie"]
