"""Administration: the audit log, drafts of the administration screens, usernames known by
a keyed hash, the role of each chat's menu, hidden FAQ entries, and anonymous daily counts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
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
        "usage_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "metric", "entry_id", name=op.f("pk_usage_days")),
    )
    op.create_table(
        "admin_drafts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_admin_drafts")),
    )
    with op.batch_alter_table("admin_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_drafts_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_actor_id_at", ["actor_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "known_usernames",
        sa.Column("username_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username_hash", name=op.f("pk_known_usernames")),
    )
    with op.batch_alter_table("known_usernames", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_known_usernames_seen_at"), ["seen_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_known_usernames_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("chat_menus", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.SmallInteger(), server_default="2", nullable=False)
        )

    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("faq_revisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("faq_revisions", schema=None) as batch_op:
        batch_op.drop_column("hidden")

    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        batch_op.drop_column("hidden")

    with op.batch_alter_table("chat_menus", schema=None) as batch_op:
        batch_op.drop_column("role")

    with op.batch_alter_table("known_usernames", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_known_usernames_user_id"))
        batch_op.drop_index(batch_op.f("ix_known_usernames_seen_at"))

    op.drop_table("known_usernames")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index("ix_audit_log_actor_id_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("admin_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_drafts_updated_at"))

    op.drop_table("admin_drafts")
    op.drop_table("usage_days")
