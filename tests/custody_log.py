"""Tampering with the append-only custody log, as only the database's owner can (tests only)."""

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from courier.handovers.models import HandoverItem
from courier.proofs import anchor
from courier.proofs.custody import GENESIS
from courier.proofs.models import CustodyAnchor, CustodyAnchorHead


@contextmanager
def unguarded(session: Session) -> Iterator[None]:
    """The log's UPDATE/DELETE refusal lifted meanwhile (inside the test's transaction): what
    the owner of the database can do, and what verification must still catch."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE custody_anchor DISABLE TRIGGER USER"))
        yield
        session.execute(text("ALTER TABLE custody_anchor ENABLE TRIGGER USER"))
        return
    found = text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t")
    triggers = list(session.scalars(found, {"t": "custody_anchor"}))
    for name in ("custody_anchor_no_update", "custody_anchor_no_delete"):
        session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for sql in triggers:
        session.execute(text(sql))


def reanchor(session: Session, zone: ZoneInfo) -> None:
    """Write the whole log again from the links as they are now (after a test rewrote history)."""
    with unguarded(session):
        session.execute(delete(CustodyAnchor))
        session.execute(update(CustodyAnchorHead).values(seq=0, entry_hash=GENESIS))
        session.expire_all()
        items = session.scalars(
            select(HandoverItem)
            .where(HandoverItem.link_hash.is_not(None))
            .order_by(HandoverItem.id)
        )
        for item in items.all():
            anchor.append(
                session, dossier_id=item.dossier_id, link_hash=item.link_hash or "", zone=zone
            )
