"""custody anchor: every custody link hash appended to an append-only log outside the dossier row,
one hash chain across all dossiers, with its head row; existing links anchored in their order

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:00:00.000000
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from courier.settings import get_settings

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
GENESIS = "0" * 64
REFUSED = "custody_anchor is append-only: its entries are never updated or deleted"

POSTGRESQL_GUARD = [
    f"""CREATE FUNCTION custody_anchor_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{REFUSED}'; END $$""",
    "CREATE TRIGGER custody_anchor_append_only BEFORE UPDATE OR DELETE ON custody_anchor "
    "FOR EACH ROW EXECUTE FUNCTION custody_anchor_append_only()",
    "CREATE TRIGGER custody_anchor_no_truncate BEFORE TRUNCATE ON custody_anchor "
    "FOR EACH STATEMENT EXECUTE FUNCTION custody_anchor_append_only()",
]
SQLITE_GUARD = [
    f"CREATE TRIGGER custody_anchor_no_{verb.lower()} BEFORE {verb} ON custody_anchor "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
    for verb in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    op.create_table(
        "custody_anchor",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_custody_anchor_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_custody_anchor")),
    )
    op.create_index(op.f("ix_custody_anchor_day"), "custody_anchor", ["day"])
    op.create_index(op.f("ix_custody_anchor_dossier_id"), "custody_anchor", ["dossier_id"])
    op.create_table(
        "custody_anchor_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_anchor_head")),
    )
    conn = op.get_bind()
    seq, head = _backfill(conn)
    conn.execute(
        sa.text("INSERT INTO custody_anchor_head (id, seq, entry_hash) VALUES (1, :seq, :head)"),
        {"seq": seq, "head": head},
    )
    for statement in POSTGRESQL_GUARD if conn.dialect.name == "postgresql" else SQLITE_GUARD:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER custody_anchor_no_truncate ON custody_anchor")
        op.execute("DROP TRIGGER custody_anchor_append_only ON custody_anchor")
        op.execute("DROP FUNCTION custody_anchor_append_only()")
    else:
        op.execute("DROP TRIGGER custody_anchor_no_update")
        op.execute("DROP TRIGGER custody_anchor_no_delete")
    op.drop_table("custody_anchor_head")
    op.drop_index(op.f("ix_custody_anchor_dossier_id"), table_name="custody_anchor")
    op.drop_index(op.f("ix_custody_anchor_day"), table_name="custody_anchor")
    op.drop_table("custody_anchor")


def _backfill(conn: sa.Connection) -> tuple[int, str]:
    """Anchor every sealed link in the order it was written (handover item id), each on the day
    its handover was recorded (never before the previous entry's day); the last (seq, hash)."""
    zone = get_settings().zone
    seq, prev, day, last_id = 0, GENESIS, date.min, 0
    query = sa.text(
        "SELECT i.id, i.dossier_id, i.link_hash, h.recorded_at FROM handover_item i "
        "JOIN handover h ON h.id = i.handover_id "
        "WHERE i.link_hash IS NOT NULL AND i.id > :last ORDER BY i.id LIMIT :n"
    ).columns(recorded_at=sa.DateTime(timezone=True))
    while rows := conn.execute(query, {"last": last_id, "n": BATCH}).all():
        entries = []
        for item_id, dossier_id, link_hash, recorded_at in rows:
            seq, last_id = seq + 1, item_id
            day = max(day, _utc(recorded_at).astimezone(zone).date())
            entry = {"dossier_id": dossier_id, "link_hash": link_hash, "prev_hash": prev}
            prev = _entry_hash(seq, day, dossier_id, link_hash, prev)
            entries.append({**entry, "seq": seq, "day": day, "entry_hash": prev})
        conn.execute(
            sa.text(
                "INSERT INTO custody_anchor (seq, day, dossier_id, link_hash, prev_hash, "
                "entry_hash) VALUES (:seq, :day, :dossier_id, :link_hash, :prev_hash, :entry_hash)"
            ),
            entries,
        )
    return seq, prev


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _entry_hash(seq: int, day: date, dossier_id: int, link_hash: str, prev: str) -> str:
    """courier.proofs.anchor.entry_hash as of this revision (version 1), copied so that this
    revision keeps meaning what it meant."""
    entry = {
        "v": 1,
        "seq": seq,
        "day": day.isoformat(),
        "dossier": dossier_id,
        "link": link_hash,
        "prev": prev,
    }
    body = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()
