"""dossier office: each dossier stores the post office that serves it (nearest the citizen at
booking, then the office of the courier its job is given to); indexes for the staff list

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:00:00.000000
"""

import math
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
INDEXES = {
    "ix_dossier_site_status_created": ["receiving_site_id", "status", "created_at"],
    "ix_dossier_office_status_created": ["post_office_id", "status", "created_at"],
    "ix_dossier_due_on": ["due_on"],
    "ix_dossier_procedure_id": ["procedure_id"],
    "ix_dossier_created_id": ["created_at", "id"],
}


def upgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("post_office_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_dossier_post_office_id_site"), "site", ["post_office_id"], ["id"]
        )
        for name, columns in INDEXES.items():
            batch.create_index(name, columns)
    op.create_index(
        "ix_dossier_code_prefix",
        "dossier",
        ["tracking_code"],
        postgresql_ops={"tracking_code": "varchar_pattern_ops"},
    )
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_dossier_code_prefix", table_name="dossier")
    with op.batch_alter_table("dossier") as batch:
        for name in reversed(INDEXES):
            batch.drop_index(name)
        batch.drop_constraint(op.f("fk_dossier_post_office_id_site"), type_="foreignkey")
        batch.drop_column("post_office_id")


def _backfill(conn: sa.Connection) -> None:
    """The office of the courier of each dossier's newest assigned job, else the post office
    nearest its citizen among those with an active courier (courier.dispatch's rule, copied here
    so that this revision keeps meaning what it meant)."""
    offices = conn.execute(
        sa.text(
            "SELECT id, lat, lon FROM site WHERE id IN "
            "(SELECT home_post_office_id FROM courier WHERE active) ORDER BY id"
        )
    ).all()
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT d.id, d.lat, d.lon, (SELECT c.home_post_office_id FROM job j "
                "JOIN courier c ON c.id = j.courier_id WHERE j.dossier_id = d.id "
                "ORDER BY j.updated_at DESC, j.id DESC LIMIT 1) "
                "FROM dossier d WHERE d.id > :last ORDER BY d.id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            return
        values = [
            {"id": id_, "office": assigned or _nearest(offices, lat, lon)}
            for id_, lat, lon, assigned in rows
        ]
        conn.execute(sa.text("UPDATE dossier SET post_office_id = :office WHERE id = :id"), values)
        last = rows[-1][0]


def _nearest(
    offices: Sequence[sa.Row[tuple[int, float, float]]], lat: float, lon: float
) -> int | None:
    """The id of the nearest office by great-circle distance (ties: the lowest id), or None."""
    best = min(offices, key=lambda o: _haversine(lat, lon, o[1], o[2]), default=None)
    return None if best is None else int(best[0])


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * math.asin(math.sqrt(h))
