"""Password guessing is slowed down: per username and client address a lock that grows, per
username from everyone a lock at many failures, per client address a short refusal of wrong
passwords only; counted in the database, with a WARNING to alert on."""

import json
import logging
from datetime import timedelta

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.errors import domain_response
from api.main import create_app
from courier.accounts.service import SIGN_IN_LOCKED
from courier.db import utcnow
from courier.errors import LockedOut
from courier.lockout.models import Lockout
from courier.settings import Settings
from tests.race import race

ADMIN, RIGHT = "admin", "demo-admin-2026"
SAME_SITE = {"Origin": "http://testserver"}
PAIR_KEY = "sign-in:user:admin@client:testclient"  # admin as guessed from the test client


def token(client: TestClient, username: str = ADMIN, password: str = "wrong-guess") -> Response:
    """One try at the token endpoint."""
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def end_locks(session: Session) -> None:
    """Let every lock run out, as if its time had passed (the failures stay counted)."""
    past = utcnow() - timedelta(seconds=1)
    session.execute(
        update(Lockout).where(Lockout.locked_until.is_not(None)).values(locked_until=past)
    )
    session.flush()


def test_the_right_password_is_refused_while_the_account_is_locked(
    client: TestClient, session: Session
) -> None:
    """The finding: 40 wrong passwords for admin, then the right one was accepted. Now the fifth
    failure locks the account: the right password gets 429 with Retry-After and a sentence in
    Vietnamese, and works again once the lock has ended."""
    answers = [token(client).status_code for _ in range(5)]
    assert answers == [401] * 5
    locked = token(client, password=RIGHT)
    assert locked.status_code == 429, locked.text
    assert 1 <= int(locked.headers["Retry-After"]) <= 30
    assert "thử lại sau" in locked.json()["detail"]
    assert "access_token" not in locked.text
    end_locks(session)
    assert token(client, password=RIGHT).status_code == 200


def test_the_lock_doubles_with_each_failure_past_the_free_ones(
    client: TestClient, session: Session
) -> None:
    """30 s after the fifth failure, 60 s after the sixth, 120 s after the seventh."""
    waits = []
    for _ in range(5):
        token(client)
    for _ in range(3):
        waits.append(int(token(client).headers["Retry-After"]))
        end_locks(session)
        token(client)
    assert waits[0] <= 30 < waits[1] <= 60 < waits[2] <= 120


def test_a_success_forgets_the_accounts_failures(client: TestClient) -> None:
    """Four typos then the right password: the next typo does not lock the account."""
    for _ in range(4):
        token(client)
    assert token(client, password=RIGHT).status_code == 200
    assert token(client).status_code == 401
    assert token(client, password=RIGHT).status_code == 200


def test_a_strangers_guesses_lock_the_account_for_that_client_only(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """The finding: one wrong try an hour kept admin locked for everyone. Now five failures from
    one address lock the username there only: the owner, elsewhere, still signs in."""
    app = create_app(settings, factory)
    with TestClient(app, client=("198.51.100.7", 5000)) as stranger:
        assert [token(stranger).status_code for _ in range(5)] == [401] * 5
        assert token(stranger, password=RIGHT).status_code == 429
    with TestClient(app, client=("203.0.113.9", 5000)) as owner:
        assert token(owner, password=RIGHT).status_code == 200


def test_fifty_failures_from_several_clients_lock_the_account_for_everyone(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Guesses spread over ten addresses (five each, under every client's own lock) add up: at
    the fiftieth failure in a day the username is locked for everyone, for an hour."""
    app = create_app(settings, factory)
    for n in range(10):
        with TestClient(app, client=(f"198.51.100.{n}", 5000)) as client:
            assert [token(client).status_code for _ in range(5)] == [401] * 5
    with TestClient(app, client=("203.0.113.9", 5000)) as owner:
        locked = token(owner, password=RIGHT)
    assert locked.status_code == 429
    assert 3500 < int(locked.headers["Retry-After"]) <= 3600


def test_a_client_guessing_many_accounts_is_slowed_down(client: TestClient) -> None:
    """Twenty failures from one address over as many usernames lock the address for a few
    minutes: its next wrong passwords get 429 (a fixed wait, not doubled), not 401."""
    answers = [token(client, username=f"nobody.{n}").status_code for n in range(20)]
    assert answers == [401] * 20
    first = token(client, username="nobody.x")
    assert first.status_code == 429
    assert 1 <= int(first.headers["Retry-After"]) <= 300
    assert int(token(client, username="nobody.y").headers["Retry-After"]) <= 300


def test_a_right_password_passes_from_a_locked_client(client: TestClient) -> None:
    """The finding: behind one carrier NAT, thousands of people's typos locked the address and
    then everyone's right password was refused. The client's lock refuses wrong guesses only."""
    for n in range(20):
        token(client, username=f"nobody.{n}")
    assert token(client).status_code == 429
    assert token(client, password=RIGHT).status_code == 200


def test_wrong_guesses_from_a_locked_client_still_count(client: TestClient) -> None:
    """The 429 a locked client gets for a wrong password keeps the failure it counted: five of
    them lock the account there, and then its right password is refused too."""
    for n in range(20):
        token(client, username=f"nobody.{n}")
    assert [token(client).status_code for _ in range(5)] == [429] * 5
    assert token(client, password=RIGHT).status_code == 429


def test_the_count_is_shared_by_every_api_process(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Failures counted by one process lock the account in another (each process has its own
    in-memory rate limits: the lock is in the database)."""
    with TestClient(create_app(settings, factory)) as first:
        for _ in range(5):
            token(first)
    with TestClient(create_app(settings, factory)) as second:
        assert token(second, password=RIGHT).status_code == 429


def test_an_unknown_username_is_counted_and_answered_alike(client: TestClient) -> None:
    """A username nobody has locks like a real one, so the lock tells nothing of accounts."""
    unknown = [token(client, username="no.such.user") for _ in range(6)]
    real = [token(client) for _ in range(6)]
    assert [a.status_code for a in unknown] == [a.status_code for a in real] == [401] * 5 + [429]
    assert unknown[0].json() == real[0].json()


def test_the_lock_is_logged_for_operators(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The lock writes one WARNING to the `courier.lockout` logger, naming the key."""
    with caplog.at_level(logging.WARNING, logger="courier.lockout"):
        for _ in range(5):
            token(client)
    warnings = [r for r in caplog.records if r.name == "courier.lockout"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert (
        warnings[0].getMessage()
        == "lockout: sign-in:user:admin@client:testclient locked for 30 s after 5 failures"
    )


def test_the_phone_app_sign_in_is_counted_too(client: TestClient) -> None:
    """`/auth/device` shares the count: after five failures there, the token endpoint refuses."""
    form = {"username": ADMIN, "password": "wrong-guess", "device_name": "phone"}
    answers = [client.post("/api/v1/auth/device", data=form).status_code for _ in range(5)]
    assert answers == [401] * 5
    assert token(client, password=RIGHT).status_code == 429


@pytest.mark.parametrize(
    ("path", "username", "password"),
    [
        ("/center/login", "center.tthc", "demo-center-2026"),
        ("/dispatch/login", "dispatch.tdm", "demo-dispatch-2026"),
        ("/me/login", "citizen.an", "demo-citizen-2026"),
    ],
)
def test_sign_in_pages_lock_the_account(
    client: TestClient, path: str, username: str, password: str
) -> None:
    """The staff and citizen sign-in forms count failures too: after five, the right password
    gets a 429 page in Vietnamese with Retry-After, and no session cookie."""
    for _ in range(5):
        form = {"username": username, "password": "wrong-guess"}
        assert client.post(path, data=form, headers=SAME_SITE).status_code == 401
    form = {"username": username, "password": password}
    page = client.post(path, data=form, headers=SAME_SITE, follow_redirects=False)
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) >= 1
    assert page.headers["content-type"].startswith("text/html")
    assert "thử lại sau" in page.text
    assert "set-cookie" not in page.headers


def test_parallel_guesses_cannot_slip_past_the_lock(
    committed: sessionmaker[Session], settings: Settings
) -> None:
    """Twelve wrong passwords sent at the same instant: only the five free ones are checked, the
    others wait their turn and find the account locked."""
    app: FastAPI = create_app(settings, committed)
    with TestClient(app) as client:
        answers = race(*[lambda: token(client).status_code for _ in range(12)])
    assert sorted(answers) == [401] * 5 + [429] * 7
    with committed() as session:
        row = session.scalar(select(Lockout).where(Lockout.key == PAIR_KEY))
        assert row is not None
        assert row.failures == 5


def test_an_account_quiet_for_a_day_starts_again_from_zero(
    client: TestClient, session: Session
) -> None:
    """Failures a day older than the last lock are forgotten: the next typo is the first again,
    and locks nothing; before that day, the next failure locks at once, twice as long."""
    for _ in range(5):
        token(client)
    end_locks(session)
    assert token(client).status_code == 401  # the 6th failure
    assert 30 < int(token(client).headers["Retry-After"]) <= 60
    long_ago = utcnow() - timedelta(hours=25)
    session.execute(
        update(Lockout)
        .where(Lockout.key == PAIR_KEY)
        .values(last_failure_at=long_ago, locked_until=long_ago)
    )
    session.flush()
    assert token(client).status_code == 401
    row = session.scalar(select(Lockout).where(Lockout.key == PAIR_KEY))
    assert row is not None
    session.refresh(row)
    assert (row.failures, row.locked_until) == (1, None)


def test_a_lock_answered_by_a_route_is_a_429() -> None:
    """A route answering `LockedOut` itself (to keep the failure it counted) gets the same 429
    as the handler's: Retry-After and the wait in the sentence, never a crash."""
    request = Request(
        {"type": "http", "method": "POST", "path": "/api/v1/auth/token", "headers": []}
    )
    answer = domain_response(request, LockedOut(SIGN_IN_LOCKED, retry_after_s=90))
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "90"
    body = json.loads(answer.body)
    assert body["retry_after_s"] == 90
    assert "%(wait)s" not in body["detail"]
    assert "2" in body["detail"]  # 90 s read as two minutes


def test_a_clients_failures_older_than_its_window_are_forgotten(
    client: TestClient, session: Session
) -> None:
    """The client's count is a rate: twenty failures more than ten minutes ago (two windows
    back) no longer slow it down; its next wrong password is an ordinary 401."""
    for n in range(20):
        token(client, username=f"nobody.{n}")
    assert token(client, username="nobody.x").status_code == 429
    for key in session.scalars(select(Lockout.key).where(Lockout.key.like("sign-in:client:%"))):
        base, window = key.rsplit("#", 1)
        older = {"key": f"{base}#{int(window) - 2}", "locked_until": None}
        session.execute(update(Lockout).where(Lockout.key == key).values(**older))
    session.flush()
    assert token(client, username="nobody.y").status_code == 401
