"""plan notes and part errors

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("plan", sa.Column("notes", sa.JSON(), nullable=True))
    op.add_column("plan_part", sa.Column("error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_part") as batch:
        batch.drop_column("error")
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("notes")
