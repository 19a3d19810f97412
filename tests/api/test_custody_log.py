"""The custody log anchors every link outside the dossier: removing the last link and rewinding
the dossier's head is named, so is a log entry deleted or altered; each day's signed root is
published and the receipt prints the link's entry."""

import base64
import hashlib
import json
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier
from courier.handovers.models import Handover, HandoverItem
from courier.proofs import anchor
from courier.proofs.models import CustodyAnchor
from courier.proofs.printing import receipt_data
from courier.proofs.receipts import render
from courier.proofs.storage import storage_for
from courier.settings import Settings
from tests.api.test_custody import _chain, _items, carried_dossier  # noqa: F401  (fixture)
from tests.custody_log import unguarded


def _entries(session: Session, code: str) -> list[CustodyAnchor]:
    session.expire_all()
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    return anchor.of_dossier(session, dossier.id)


def test_each_link_is_anchored_in_the_log_as_it_is_written(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """Three links, three log entries in order, each naming its link; the chain shows them."""
    code, staff = carried
    chain = _chain(client, code, staff)
    entries = _entries(session, code)
    assert [e.link_hash for e in entries] == [link["link_hash"] for link in chain["links"]]
    assert [link["anchor"]["entry_hash"] for link in chain["links"]] == [
        e.entry_hash for e in entries
    ]
    assert chain["verified"] is True


def test_a_removed_last_record_with_its_head_rewound_is_named(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The newest record deleted and the dossier's head set back to the record before: the rows
    agree with each other, but the log still holds the removed link."""
    code, staff = carried
    *kept, last = _items(session, code)
    session.execute(delete(HandoverItem).where(HandoverItem.id == last.id))
    session.execute(
        update(Dossier)
        .where(Dossier.id == last.dossier_id)
        .values(custody_seq=len(kept), custody_head=kept[-1].link_hash)
    )
    entry = _entries(session, code)[-1]
    chain = _chain(client, code, staff)
    assert chain["verified"] is False
    assert chain["first_broken"] == {
        "seq": 3,
        "problem": f"record 3, anchored in custody log entry {entry.seq} ({entry.day}), is "
        "missing: it was removed; the dossier's custody head was rewound: its last anchored "
        f"record is 3 (custody log entry {entry.seq}, {entry.day})",
    }


def test_the_log_refuses_updates_and_deletes(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """Append-only in the database itself: UPDATE and DELETE of an entry are refused."""
    code, _ = carried
    entry = _entries(session, code)[0]
    for statement in (
        update(CustodyAnchor).where(CustodyAnchor.seq == entry.seq).values(link_hash="f" * 64),
        delete(CustodyAnchor).where(CustodyAnchor.seq == entry.seq),
    ):
        with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
            session.execute(statement)


def test_an_altered_log_entry_is_named(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The owner lifts the guard and changes the day of an entry: that entry no longer
    recomputes; with its hash recomputed too, the next entry no longer follows it."""
    code, staff = carried
    first = _entries(session, code)[0]
    with unguarded(session):
        session.execute(
            update(CustodyAnchor).where(CustodyAnchor.seq == first.seq).values(day=date(2000, 1, 1))
        )
        altered = _chain(client, code, staff)
        forged = anchor.entry_hash(
            seq=first.seq,
            day=date(2000, 1, 1),
            dossier_id=first.dossier_id,
            link_hash=first.link_hash,
            prev_hash=first.prev_hash,
        )
        session.execute(
            update(CustodyAnchor).where(CustodyAnchor.seq == first.seq).values(entry_hash=forged)
        )
        recomputed = _chain(client, code, staff)
        day = client.get(f"/api/v1/custody/days/{_entries(session, code)[1].day}").json()
    assert altered["first_broken"] == {
        "seq": 1,
        "problem": f"custody log entry {first.seq} (2000-01-01) was altered",
    }
    assert recomputed["verified"] is False
    assert f"custody log entry {first.seq + 1} does not follow entry {first.seq}" in json.dumps(
        recomputed
    )
    assert day["verified"] is False
    assert f"custody log entry {first.seq + 1} does not follow entry {first.seq}" in day["problems"]


def test_a_deleted_log_entry_is_named_by_the_chain_and_the_day(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The middle entry of the dossier deleted from the log: the chain says its link is not the
    anchored one and the entries around the gap are missing a neighbour; the day says so too."""
    code, staff = carried
    first, middle, _ = _entries(session, code)
    with unguarded(session):
        session.execute(delete(CustodyAnchor).where(CustodyAnchor.seq == middle.seq))
    chain = _chain(client, code, staff)
    day = client.get(f"/api/v1/custody/days/{middle.day}").json()
    gap = f"custody log entry {middle.seq}, after entry {first.seq}, is missing"
    assert chain["first_broken"]["seq"] == 1
    assert gap in chain["first_broken"]["problem"]
    assert "it was never anchored in the custody log" in chain["links"][2]["problems"]
    assert day["verified"] is False
    assert gap in day["problems"]


def _root(day: str, entries: list[str]) -> str:
    """The day's root as the endpoint documents it, computed here without the project's code."""
    body = json.dumps(
        {"day": day, "entries": entries, "v": 1}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(body.encode()).hexdigest()


def test_the_days_root_is_published_and_verifies_with_the_public_key(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """Anyone reads the day: its entry hashes (the dossier's among them), their root as
    documented, its Ed25519 signature checked with the published key; no personal data."""
    code, _ = carried
    entries = _entries(session, code)
    answer = client.get(f"/api/v1/custody/days/{entries[0].day}")
    assert answer.status_code == 200
    day: dict[str, Any] = answer.json()
    assert day["verified"] is True
    assert day["count"] == len(day["entries"]) >= 3
    assert all(e.entry_hash in day["entries"] for e in entries if e.day == entries[0].day)
    assert day["root"] == _root(day["day"], day["entries"])
    published = client.get("/api/v1/custody/public-key").json()
    key = load_pem_public_key(published["public_key_pem"].encode())
    assert isinstance(key, Ed25519PublicKey)
    key.verify(base64.b64decode(day["signature"]), day["root"].encode("ascii"))
    assert day["key_id"] == published["key_id"]
    assert code not in answer.text
    assert "Nguyễn" not in answer.text
    assert "5678" not in answer.text


def test_a_day_without_entries_and_a_day_out_of_range(
    client: TestClient, carried: tuple[str, dict[str, str]]
) -> None:
    """A day nothing was anchored, before today's entries: no entries, the root of none,
    complete; year 9999 is refused (422)."""
    empty = client.get("/api/v1/custody/days/2001-01-01").json()
    assert (empty["count"], empty["entries"], empty["complete"]) == (0, [], True)
    assert empty["root"] == _root("2001-01-01", [])
    assert client.get("/api/v1/custody/days/9999-01-01").status_code == 422


def test_the_receipt_prints_each_links_log_entry(
    client: TestClient, session: Session, carried: tuple[str, dict[str, str]]
) -> None:
    """The pickup's receipt, as drawn, carries its link's log entry: day, number, entry hash."""
    code, _ = carried
    entry = _entries(session, code)[0]
    item = _items(session, code)[0]
    settings = Settings()
    handover = session.get_one(Handover, item.handover_id)
    _, _, lines = render(receipt_data(session, handover, settings, storage_for(settings)))
    printed = [line.text for line in lines]
    assert f"Sổ neo / Custody log {entry.day} #{entry.seq} {entry.entry_hash}" in printed
