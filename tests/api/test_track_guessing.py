"""Guessing a dossier's phone digits: a code locks after a few wrong suffixes from one client and
after many from everyone, a client counts per IPv4 address or IPv6 /64, and an unknown code reads
exactly like a wrong suffix."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, event, update
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.db import utcnow
from courier.lockout.models import Lockout
from courier.settings import Settings
from tests.builders import book, booking_day
from tests.race import race

PHONE = "5678"  # last digits of the builders' phone
UNKNOWN = "HS000000005VN"  # a well-formed code no dossier has
SAME_SITE = {"Origin": "http://testserver"}


def track(client: TestClient, code: str, phone: str) -> Response:
    """The public timeline, the digits in the body."""
    return client.post(f"/api/v1/track/{code}", json={"phone": phone})


def test_a_code_locks_after_a_few_wrong_suffixes_from_a_client(
    settings: Settings, factory: sessionmaker[Session], session: Session
) -> None:
    """Five wrong suffixes from one address lock the code there: even the right one gets 429
    with Retry-After and a Vietnamese sentence (until the lock ends), while the citizen, from
    another address, still follows the dossier."""
    app = create_app(settings, factory)
    with TestClient(app) as booker:
        code = book(booker)["tracking_code"]
    with _from(app, "198.51.100.7") as guesser:
        assert [track(guesser, code, f"000{n}").status_code for n in range(5)] == [404] * 5
        locked = track(guesser, code, PHONE)
        assert locked.status_code == 429
        assert 1 <= int(locked.headers["Retry-After"]) <= 30
        assert "thử lại sau" in locked.json()["detail"]
        assert "events" not in locked.json()
        session.execute(update(Lockout).values(locked_until=utcnow() - timedelta(seconds=1)))
        session.flush()
        assert track(guesser, code, PHONE).status_code == 200
    with _from(app, "203.0.113.9") as citizen:
        assert track(citizen, code, PHONE).status_code == 200


def test_a_code_guessed_from_many_clients_locks_for_everyone(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """The finding: a real code's suffix was found in 79 tries by rotating client addresses.
    Now fifty wrong suffixes in a day, from ten addresses, lock the code for everyone."""
    app = create_app(settings, factory)
    with TestClient(app) as booker:
        code = book(booker)["tracking_code"]
    for n in range(10):
        with _from(app, f"198.51.100.{n}") as guesser:
            answers = [track(guesser, code, f"{n}00{k}").status_code for k in range(5)]
            assert answers == [404] * 5
    with _from(app, "203.0.113.9") as citizen:
        assert track(citizen, code, PHONE).status_code == 429


def test_an_unknown_code_locks_like_a_real_one(client: TestClient) -> None:
    """Wrong suffixes on a real code and tries on an unknown code get the same answers, lock
    included, so the lock does not tell which codes exist."""
    code = book(client)["tracking_code"]
    real = [track(client, code, "0000") for _ in range(6)]
    unknown = [track(client, UNKNOWN, PHONE) for _ in range(6)]
    assert [a.status_code for a in real] == [a.status_code for a in unknown] == [404] * 5 + [429]
    assert real[0].content == unknown[0].content
    assert real[5].json()["detail"] == unknown[5].json()["detail"]


def test_every_way_of_giving_the_digits_is_counted(client: TestClient) -> None:
    """Wrong digits through the deprecated GET, cancel, reschedule, the custody chain and the
    tracking page all count against the code: the sixth try, right digits, is refused."""
    code = book(client)["tracking_code"]
    wrong = {"phone": "0000"}
    tries = [
        client.get(f"/api/v1/track/{code}", params=wrong),
        client.post(f"/api/v1/track/{code}/cancel", json=wrong),
        client.post(
            f"/api/v1/track/{code}/reschedule",
            json={**wrong, "preferred_on": booking_day().isoformat(), "slot": "morning"},
        ),
        client.get(f"/api/v1/dossiers/{code}/custody", params=wrong),
        client.post("/track", data={"code": code, **wrong}, headers=SAME_SITE),
    ]
    assert [a.status_code for a in tries] == [404] * 5
    assert track(client, code, PHONE).status_code == 429
    page = client.post("/track", data={"code": code, "phone": PHONE}, headers=SAME_SITE)
    assert page.status_code == 429
    assert "thử lại sau" in page.text
    assert not any(name.startswith("dossier_") for name in page.cookies)


def _from(app: Any, host: str) -> TestClient:
    return TestClient(app, client=(host, 5000))


def test_ipv6_clients_are_limited_per_64(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Addresses of one /64 (one subscriber's line) share one rate limit; another /64 has its
    own. Each /128 counted alone would give one client 2^64 buckets."""
    app = create_app(settings.model_copy(update={"track_rate_limit": "2/minute"}), factory)
    hosts = [
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2:ffff:ffff:ffff:3",
        "2001:db8:1:3::1",
    ]
    answers = []
    for host in hosts:
        with _from(app, host) as client:
            answers.append(track(client, UNKNOWN, PHONE).status_code)
    assert answers == [404, 404, 429, 404]


def test_a_64_guessing_many_codes_is_slowed_down(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Twenty wrong tries on twenty codes from twenty addresses of one /64 lock that /64's wrong
    tries (429, a few minutes); the right digits of a real code still pass from it (a /64 may be
    a carrier's NAT), and another /64 is not slowed."""
    app = create_app(settings, factory)
    with TestClient(app) as booker:
        code = book(booker)["tracking_code"]
    for n in range(20):
        with _from(app, f"2001:db8:7:7::{n + 1:x}") as client:
            assert track(client, f"HS{n:08d}0VN", PHONE).status_code == 404
    with _from(app, "2001:db8:7:7:abcd::1") as client:
        assert track(client, UNKNOWN, PHONE).status_code == 429
        assert track(client, code, PHONE).status_code == 200
    with _from(app, "2001:db8:7:8::1") as elsewhere:
        assert track(elsewhere, UNKNOWN, PHONE).status_code == 404


@contextmanager
def statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL the block sends to the database, in order."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _refusal_path(client: TestClient, connection: Connection, code: str, phone: str) -> list[str]:
    with statements(connection) as sent:
        assert track(client, code, phone).status_code == 404
    return [statement for statement in sent if "SAVEPOINT" not in statement]


def test_a_wrong_suffix_and_an_unknown_code_take_the_same_path(
    client: TestClient, connection: Connection
) -> None:
    """A wrong suffix on a real code, an unknown code and a code of the wrong shape send the
    same statements, in the same order (so no answer is slower for a real code); the dossier
    itself is read only once the digits match."""
    code = book(client)["tracking_code"]
    wrong = _refusal_path(client, connection, code, "0000")
    unknown = _refusal_path(client, connection, UNKNOWN, PHONE)
    malformed = _refusal_path(client, connection, "NOT-A-CODE", PHONE)
    assert wrong == unknown == malformed
    assert not any("dossier.id" in statement for statement in wrong)


def test_a_right_lookup_writes_nothing(client: TestClient, connection: Connection) -> None:
    """Following a dossier with the right digits writes nothing (no row per lookup to grow or
    contend on); the count is written only when a try fails."""
    code = book(client)["tracking_code"]
    with statements(connection) as sent:
        assert client.get(f"/api/v1/track/{code}", params={"phone": PHONE}).status_code == 200
    writes = [s for s in sent if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_parallel_wrong_digits_in_the_url_are_all_counted(
    committed: sessionmaker[Session], settings: Settings
) -> None:
    """The deprecated GET and the custody chain take the digits in the URL; eight wrong tries
    at once are each answered (no 503: on SQLite a reading transaction may not write once
    another request committed) and counted: five 404s, then the code is locked here."""
    app = create_app(settings.model_copy(update={"track_rate_limit": "100/minute"}), committed)
    with TestClient(app) as client:
        code = book(client)["tracking_code"]
        paths = [f"/api/v1/track/{code}", f"/api/v1/dossiers/{code}/custody"] * 4
        answers = race(*[partial(client.get, path, params={"phone": "0000"}) for path in paths])
        assert sorted(a.status_code for a in answers) == [404] * 5 + [429] * 3
        assert client.get(paths[0], params={"phone": PHONE}).status_code == 429
