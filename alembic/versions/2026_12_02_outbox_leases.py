"""outbox leases: a message is done when its task says so, and relayed again until then

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("available_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_index("ix_outbox_message_pending")
    # a message published before this revision counted as done; one never sent is due now
    op.execute("UPDATE outbox_message SET done_at = sent_at WHERE sent_at IS NOT NULL")
    op.execute("UPDATE outbox_message SET available_at = created_at")
    with op.batch_alter_table("outbox_message") as batch:
        batch.alter_column("available_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_outbox_message_due", ["done_at", "available_at", "id"])


def downgrade() -> None:
    op.execute("UPDATE outbox_message SET sent_at = NULL WHERE done_at IS NULL")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_due")
        batch.drop_column("available_at")
        batch.drop_column("done_at")
        batch.create_index("ix_outbox_message_pending", ["sent_at", "id"])
