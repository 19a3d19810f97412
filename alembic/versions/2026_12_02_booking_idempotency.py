"""booking idempotency: a retried booking finds its dossier; bookings per phone are counted

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))
        batch.create_index("ix_dossier_idempotency_key", ["idempotency_key"], unique=True)
        batch.create_index("ix_dossier_phone_created", ["applicant_phone", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.drop_index("ix_dossier_phone_created")
        batch.drop_index("ix_dossier_idempotency_key")
        batch.drop_column("request_digest")
        batch.drop_column("idempotency_key")
