"""personal data: the append-only access log of staff reads, citizens' erasure requests, and
when a dossier's personal fields were erased

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSE = "access_log is append-only"


def upgrade() -> None:
    op.add_column("dossier", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.String(length=32), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_access_log_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_access_log_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_dossier_id_id", "access_log", ["dossier_id", "id"])
    op.create_index("ix_access_log_actor_id", "access_log", ["actor_kind", "actor_id", "id"])
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_table(
        "erasure_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_via", sa.String(length=16), nullable=False),
        sa.Column("erasable_on", sa.Date(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_erasure_request_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_request")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_erasure_request_dossier_id")),
    )
    _refuse_changes()


def _refuse_changes() -> None:
    """The database itself refuses to update or delete an access log row."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_REFUSE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
            "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER access_log_no_{verb.lower()} BEFORE {verb} ON access_log "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_append_only ON access_log")
        op.execute("DROP FUNCTION access_log_append_only()")
    else:
        op.execute("DROP TRIGGER access_log_no_update")
        op.execute("DROP TRIGGER access_log_no_delete")
    op.drop_table("erasure_request")
    op.drop_table("access_log")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("erased_at")
