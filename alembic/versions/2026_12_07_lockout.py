"""lockout: failed sign-ins and wrong phone digits counted per account, tracking code and client
address, and until when each is locked

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lockout",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lockout")),
    )
    op.create_index(op.f("ix_lockout_last_failure_at"), "lockout", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lockout_last_failure_at"), table_name="lockout")
    op.drop_table("lockout")
