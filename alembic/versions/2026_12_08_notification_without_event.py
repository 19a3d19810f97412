"""notifications without a tracking event: the SMS that carries a citizen's data-copy link

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("tracking_event_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE tracking_event_id IS NULL")
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("tracking_event_id", existing_type=sa.Integer(), nullable=False)
