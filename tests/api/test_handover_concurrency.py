"""Handovers sent at the same moment (committed databases): two identical ones create one
handover; several of different dossiers all commit and keep the custody log one chain."""

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.main import create_app
from courier.dossiers.models import Dossier
from courier.handovers.models import Handover
from courier.proofs import anchor
from courier.proofs.custody import GENESIS
from courier.proofs.models import CustodyAnchor, CustodyAnchorHead
from courier.settings import Settings
from tests.builders import assigned_pickup, book, courier_id, headers_for, post_handover
from tests.race import race


def test_two_identical_requests_at_once_make_one_handover(committed: Any) -> None:
    """Both answers name the same handover; one was created (201), the other replayed (200)."""
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as client:
        with committed() as session:  # closed before the race: SQLite writers wait on readers
            cid = courier_id(session, "BD-CR-TDM-01")
            dispatcher = headers_for(session, "dispatch.tdm")
            courier = headers_for(session, "bd-cr-tdm-01")
        _, body = assigned_pickup(client, cid=cid, dispatcher=dispatcher, courier=courier)

        answers = race(*[lambda: post_handover(client, dict(body), courier, complete=False)] * 2)
        assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
        assert answers[0].json()["id"] == answers[1].json()["id"]
        with committed() as session:
            count = session.scalar(
                select(func.count())
                .select_from(Handover)
                .where(Handover.idempotency_key == body["idempotency_key"])
            )
        assert count == 1


def test_handovers_committing_at_once_keep_one_custody_log(committed: Any) -> None:
    """Four pickups of four dossiers by two couriers, sent at the same instant: all recorded,
    and the custody log is one chain (numbers 1..4, each entry hashing the one before), its head
    the last entry, each dossier's chain verified."""
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as client:
        with committed() as session:
            dispatcher = headers_for(session, "dispatch.tdm")
            couriers = [
                (courier_id(session, code), headers_for(session, code.lower()))
                for code in ("BD-CR-TDM-01", "BD-CR-TDM-03")
            ]
        pickups = [
            (assigned_pickup(client, cid=cid, dispatcher=dispatcher, courier=headers), headers)
            for cid, headers in couriers * 2
        ]
        answers = race(
            *[
                lambda body=body, headers=headers: post_handover(
                    client, dict(body), headers, complete=False
                )
                for (_, body), headers in pickups
            ]
        )
        assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
        with committed() as session:
            entries = session.scalars(select(CustodyAnchor).order_by(CustodyAnchor.seq)).all()
            head = session.get_one(CustodyAnchorHead, 1)
            days = {e.day for e in entries}
            problems = [p for day in days for p in anchor.day_log(session, day).problems]
            dossier_ids = {
                session.scalars(select(Dossier.id).where(Dossier.tracking_code == code)).one()
                for (code, _), _ in pickups
            }
        assert [e.seq for e in entries] == [1, 2, 3, 4]
        assert [e.prev_hash for e in entries] == [GENESIS] + [e.entry_hash for e in entries[:-1]]
        assert (head.seq, head.entry_hash) == (4, entries[-1].entry_hash)
        assert {e.dossier_id for e in entries} == dossier_ids
        assert problems == []
        citizen = {"phone": "5678"}
        for (code, _), _ in pickups:
            chain = client.get(f"/api/v1/dossiers/{code}/custody", params=citizen).json()
            assert chain["verified"] is True, chain


def _other_waits_for_a_lock(session: Session) -> None:
    """Until another transaction of this database waits for a lock (bounded, never asserted)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    for _ in range(500):
        if session.scalar(waiting):
            return
        time.sleep(0.02)


def test_two_appends_at_once_never_fork_the_custody_log(committed: Any) -> None:
    """Two transactions append to the log at the same moment, the first holding its entry
    uncommitted until the second is stuck behind it: the second waited for the head row, then
    follows the first (entries 1 and 2, one chain); it never read the same head."""
    with committed() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite's writers already wait for each other at BEGIN IMMEDIATE")
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as client:
        code = book(client)["tracking_code"]
    with committed() as session:
        dossier_id = session.scalars(select(Dossier.id).where(Dossier.tracking_code == code)).one()
    first = threading.Lock()

    def append(link: str) -> int:
        with committed() as session:
            leads = first.acquire(blocking=False)
            entry = anchor.append(
                session, dossier_id=dossier_id, link_hash=link, zone=settings.zone
            )
            if leads:
                _other_waits_for_a_lock(session)
            session.commit()
            return entry.seq

    assert sorted(race(lambda: append("a" * 64), lambda: append("b" * 64))) == [1, 2]
    with committed() as session:
        entries = session.scalars(select(CustodyAnchor).order_by(CustodyAnchor.seq)).all()
        assert [e.prev_hash for e in entries] == [GENESIS, entries[0].entry_hash]
        assert anchor.day_log(session, entries[0].day).problems == []
