"""access log truncate guard: PostgreSQL refuses TRUNCATE access_log too (revision 0015 refused
UPDATE and DELETE only, where custody_anchor of 0014 refuses all three); SQLite has no TRUNCATE,
and its DELETE without WHERE already fires 0015's trigger

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_no_truncate ON access_log")
