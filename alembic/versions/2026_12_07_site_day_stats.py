"""site day stats: the statistics' rollup per receiving site and local day (and month), filled
from the tracking events already there

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _site_day(table: str) -> list[sa.Column[int] | sa.Column[sa.Date]]:
    return [
        sa.Column(
            "site_id",
            sa.Integer(),
            sa.ForeignKey("site.id", name=op.f(f"fk_{table}_site_id_site")),
            nullable=False,
        ),
        sa.Column("whole_month", sa.Boolean(), nullable=False),
        sa.Column("day_on", sa.Date(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "site_day_stats",
        *_site_day("site_day_stats"),
        sa.Column("picked_up", sa.Integer(), nullable=False),
        sa.Column("pickup_on_time", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("arrival_on_time", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("return_on_time", sa.Integer(), nullable=False),
        sa.Column("end_to_end_on_time", sa.Integer(), nullable=False),
        sa.Column("collected", sa.Integer(), nullable=False),
        sa.Column("booked_to_picked_up_n", sa.Integer(), nullable=False),
        sa.Column("booked_to_picked_up_s", sa.Double(), nullable=False),
        sa.Column("picked_up_to_received_n", sa.Integer(), nullable=False),
        sa.Column("picked_up_to_received_s", sa.Double(), nullable=False),
        sa.Column("received_to_result_ready_n", sa.Integer(), nullable=False),
        sa.Column("received_to_result_ready_s", sa.Double(), nullable=False),
        sa.Column("result_ready_to_returned_n", sa.Integer(), nullable=False),
        sa.Column("result_ready_to_returned_s", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "whole_month", "day_on", name=op.f("pk_site_day_stats")),
    )
    op.create_table(
        "site_day_failures",
        *_site_day("site_day_failures"),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id", "whole_month", "day_on", "reason", name=op.f("pk_site_day_failures")
        ),
    )
    _fill(op.get_bind())


def downgrade() -> None:
    op.drop_table("site_day_failures")
    op.drop_table("site_day_stats")


def _fill(conn: sa.Connection) -> None:
    """The rollup of the events already there, by the rebuild that `courier stats rebuild` runs
    (the same definitions as the per-dossier queries; an empty database has nothing to add)."""
    if conn.scalar(sa.text("SELECT count(*) FROM tracking_event")) == 0:
        return
    from courier.settings import get_settings
    from courier.stats import rollup

    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        rollup.rebuild(session, get_settings())
        session.commit()
