"""wards: the province's wards and communes, to place an approximate pickup point; how each
dossier's point was set

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("district_vi", sa.String(length=200), nullable=False),
        sa.Column("district_en", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ward")),
        sa.UniqueConstraint("code", name=op.f("uq_ward_code")),
    )
    op.create_index(op.f("ix_ward_district_vi"), "ward", ["district_vi"], unique=False)
    # bookings made before this revision sent their coordinates
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(
            sa.Column("point_source", sa.String(length=32), nullable=False, server_default="given")
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("point_source")
    op.drop_index(op.f("ix_ward_district_vi"), table_name="ward")
    op.drop_table("ward")
