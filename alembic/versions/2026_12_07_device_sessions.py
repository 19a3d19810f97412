"""device sessions: phones signed in for days with rotating refresh tokens; a failed attempt
keeps the phone's capture time, its accuracy and its idempotency key

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, *, nullable: bool) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "device_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.Column("current_used", sa.Boolean(), nullable=False),
        _moment("created_at", nullable=False),
        _moment("last_used_at", nullable=False),
        _moment("expires_at", nullable=False),
        _moment("revoked_at", nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_device_session_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user_account.id"],
            name=op.f("fk_device_session_revoked_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_session")),
    )
    op.create_index(op.f("ix_device_session_user_id"), "device_session", ["user_id"])
    with op.batch_alter_table("job_attempt") as batch:
        batch.add_column(sa.Column("accuracy_m", sa.Double(), nullable=True))
        batch.add_column(_moment("device_at", nullable=True))
        batch.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))
        batch.create_index("ix_job_attempt_idempotency_key", ["idempotency_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("job_attempt") as batch:
        batch.drop_index("ix_job_attempt_idempotency_key")
        batch.drop_column("request_digest")
        batch.drop_column("idempotency_key")
        batch.drop_column("device_at")
        batch.drop_column("accuracy_m")
    op.drop_index(op.f("ix_device_session_user_id"), table_name="device_session")
    op.drop_table("device_session")
