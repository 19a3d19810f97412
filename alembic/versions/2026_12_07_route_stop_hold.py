"""route stop at post office: a plan's stop may leave a dossier at the courier's post office for
the night instead of its center

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add route_stop.at_post_office, false for every stop planned so far."""
    with op.batch_alter_table("route_stop") as batch:
        batch.add_column(
            sa.Column("at_post_office", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("route_stop") as batch:
        batch.drop_column("at_post_office")
