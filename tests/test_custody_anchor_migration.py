"""Revision 0014 anchors the links a database already holds, in their order: custody verifies
after the upgrade, on SQLite and PostgreSQL."""

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.cli import alembic_config
from courier.db import read_only_bind
from courier.proofs import anchor
from courier.proofs.models import CustodyAnchor
from courier.settings import Settings
from tests.builders import STAFF_TDM, book, headers_for, to_out_for_delivery


def _as_before_0014(committed: sessionmaker[Session]) -> None:
    """The log's tables gone, the links kept: a database as 0013 left it (later revisions stay,
    so none of their downgrades runs)."""
    with committed() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("DROP TABLE custody_anchor, custody_anchor_head"))
            session.execute(text("DROP FUNCTION custody_anchor_append_only()"))
        else:
            session.execute(text("DROP TABLE custody_anchor"))
            session.execute(text("DROP TABLE custody_anchor_head"))
        session.commit()


def test_an_upgraded_database_anchors_its_existing_links(committed: sessionmaker[Session]) -> None:
    """Three handovers recorded, the log's tables dropped and revision 0014 run again: the same
    links in the same order, one unbroken log, the dossier's chain verified."""
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    engine = committed.kw["bind"]
    # a reading session that never holds SQLite's write lock while the requests write
    with TestClient(create_app(settings, committed)) as client:
        with Session(read_only_bind(engine)) as reader:
            code = book(client, result_return="post")["tracking_code"]
            to_out_for_delivery(client, reader, code)
            staff = headers_for(reader, STAFF_TDM)
        with committed() as session:
            written = list(session.scalars(select(CustodyAnchor.link_hash).order_by("seq")))
        _as_before_0014(committed)
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["configure_logger"] = False
        command.stamp(config, "0013")
        command.upgrade(config, "0014")
        command.stamp(config, "head")
        with committed() as session:
            entries = list(session.scalars(select(CustodyAnchor).order_by(CustodyAnchor.seq)))
            problems = {p for e in entries for p in anchor.day_log(session, e.day).problems}
        chain = client.get(f"/api/v1/dossiers/{code}/custody", headers=staff).json()
    assert len(written) == 3
    assert [e.link_hash for e in entries] == written
    assert problems == set()
    assert chain["verified"] is True, chain["first_broken"]
