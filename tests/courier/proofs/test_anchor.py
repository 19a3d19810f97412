"""Reading the custody log, and verifying a dossier's chain, while handovers commit (PostgreSQL,
read committed: each statement sees what was committed before it): no false "missing" or
"removed" is named, and a day is published as complete only once no entry can still be added to
it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.db import utcnow
from courier.dossiers.models import Dossier, DossierStatus
from courier.enums import PartyKind
from courier.handovers.models import Handover, HandoverItem
from courier.proofs import anchor, verify
from courier.proofs.custody import signing_key
from courier.proofs.service import seal
from courier.proofs.storage import storage_for
from courier.settings import Settings
from tests.builders import book

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def dossier_id(committed: sessionmaker[Session]) -> int:
    """A booked dossier of a committed PostgreSQL database (SQLite reads one snapshot a
    transaction: its reads never see a commit made between them)."""
    with committed() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("a SQLite transaction reads one snapshot")
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as client:
        code = book(client)["tracking_code"]
    with committed() as session:
        return session.scalars(select(Dossier.id).where(Dossier.tracking_code == code)).one()


def _append(committed: sessionmaker[Session], dossier_id: int, link: str) -> anchor.CustodyAnchor:
    with committed() as session:
        entry = anchor.append(session, dossier_id=dossier_id, link_hash=link, zone=ZONE)
        session.commit()
        return entry


@contextmanager
def _handover_after_each_read(
    committed: sessionmaker[Session], reader: Session, dossier_id: int
) -> Iterator[list[int]]:
    """Meanwhile, after each statement the reader runs, another connection appends an entry and
    commits: whatever order its reads come in, the log grows between any two of them."""
    connection = reader.connection()
    appended: list[int] = []

    def after(conn: Connection, *_: Any) -> None:
        if conn is connection and len(appended) < 20:
            appended.append(_append(committed, dossier_id, f"{len(appended) + 1:064x}").seq)

    event.listen(connection, "after_cursor_execute", after)
    try:
        yield appended
    finally:
        event.remove(connection, "after_cursor_execute", after)


def test_a_link_anchored_last_is_not_named_missing_while_handovers_commit(
    committed: sessionmaker[Session], dossier_id: int
) -> None:
    """The dossier's link is the newest entry when its chain is read; entries appended between
    the reads of its neighbours and of the head are no gap after it."""
    first = _append(committed, dossier_id, "a" * 64)
    with committed() as reader:
        entries = anchor.of_dossier(reader, dossier_id)
        with _handover_after_each_read(committed, reader, dossier_id) as appended:
            problems = anchor.entry_problems(reader, entries)
    assert appended, "no entry was appended between the reads"
    assert problems == {first.seq: []}


def test_a_day_read_while_handovers_commit_names_no_removed_entry(
    committed: sessionmaker[Session], dossier_id: int
) -> None:
    """The day's entries, their neighbours, the log's end and its head read while entries are
    appended between each read: nothing is named removed or altered."""
    first = _append(committed, dossier_id, "a" * 64)
    with (
        committed() as reader,
        _handover_after_each_read(committed, reader, dossier_id) as appended,
    ):
        log = anchor.day_log(reader, first.day)
    assert len(appended) >= 2, "the reads were not interleaved with appends"
    assert log.problems == []


def _seal(committed: sessionmaker[Session], dossier_id: int, key: str) -> None:
    """Another connection records a handover of the dossier, seals its link and commits."""
    settings = Settings(environment="test")
    with committed() as session:
        status = DossierStatus.PICKED_UP.value
        handover = Handover(
            idempotency_key=key,
            request_digest="0" * 64,
            from_kind=PartyKind.COURIER,
            to_kind=PartyKind.COURIER,
            device_at=utcnow(),
        )
        handover.items.append(
            HandoverItem(
                dossier_id=dossier_id, event="transfer", from_status=status, to_status=status
            )
        )
        session.add(handover)
        seal(session, handover, signing_key(settings), zone=settings.zone)
        session.commit()


def test_a_chain_verified_while_handovers_of_its_dossier_commit_is_intact(
    committed: sessionmaker[Session], dossier_id: int
) -> None:
    """A courier scans the dossier while its chain is verified: after each statement of the
    verification another handover of it is sealed and committed. Whatever was read first, the
    chain is intact: no record named removed or missing, no head named rewound."""
    _seal(committed, dossier_id, "first")
    settings = Settings(environment="test")
    sealed: list[int] = []

    def after(conn: Connection, *_: Any) -> None:
        if conn is connection and len(sealed) < 20:
            sealed.append(len(sealed))
            _seal(committed, dossier_id, f"later-{len(sealed)}")

    with committed() as reader:
        dossier = reader.get_one(Dossier, dossier_id)
        connection = reader.connection()
        event.listen(connection, "after_cursor_execute", after)
        try:
            report = verify.verify_chain(
                reader, dossier, storage=storage_for(settings), trust=verify.Trust.of(settings)
            )
        finally:
            event.remove(connection, "after_cursor_execute", after)
    assert len(sealed) >= 2, "the reads were not interleaved with handovers"
    assert report.first_broken is None
    assert [link.seq for link in report.links] == list(range(1, len(report.links) + 1))


def _at(day: date, clock: time) -> Callable[[], datetime]:
    return lambda: datetime.combine(day, clock, ZONE).astimezone(UTC)


def test_a_day_is_complete_only_once_an_entry_of_a_later_day_is_anchored(
    committed: sessionmaker[Session], dossier_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handover appends at 23:59:59 and commits after midnight: until then the day (long past)
    is not complete, nor after while its entry is the newest; once an entry of the next day is
    anchored, every entry of the day is in (appends wait for each other), and it is complete."""
    day = date(2026, 1, 1)
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as client:
        monkeypatch.setattr(anchor, "utcnow", _at(day, time(23, 59, 59)))
        with committed() as late:
            anchor.append(late, dossier_id=dossier_id, link_hash="a" * 64, zone=ZONE)
            pending = client.get(f"/api/v1/custody/days/{day}").json()
            late.commit()
        last = client.get(f"/api/v1/custody/days/{day}").json()
        monkeypatch.setattr(anchor, "utcnow", _at(date(2026, 1, 2), time(0, 0, 1)))
        _append(committed, dossier_id, "b" * 64)
        over = client.get(f"/api/v1/custody/days/{day}").json()
    assert (pending["complete"], pending["count"]) == (False, 0)
    assert (last["complete"], last["count"]) == (False, 1)
    assert (over["complete"], over["root"], over["verified"]) == (True, last["root"], True)


def test_an_entry_never_goes_back_to_a_complete_day(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server whose clock is behind appends at 23:59:58 after an entry of 00:00:01 the next
    day: its entry takes the later day, so the day before, complete since, keeps its root."""
    code = book(client)["tracking_code"]
    dossier = session.scalars(select(Dossier.id).where(Dossier.tracking_code == code)).one()
    monkeypatch.setattr(anchor, "utcnow", _at(date(2026, 1, 2), time(0, 0, 1)))
    anchor.append(session, dossier_id=dossier, link_hash="a" * 64, zone=ZONE)
    before = anchor.day_log(session, date(2026, 1, 1))
    monkeypatch.setattr(anchor, "utcnow", _at(date(2026, 1, 1), time(23, 59, 58)))
    behind = anchor.append(session, dossier_id=dossier, link_hash="b" * 64, zone=ZONE)
    after = anchor.day_log(session, date(2026, 1, 1))
    assert behind.day == date(2026, 1, 2)
    assert (after.complete, after.root) == (before.complete, before.root)
