"""Where each user is in a guided walkthrough.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('conversation_states',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('flow_id', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_conversation_states'))
    )
    op.create_index(op.f('ix_conversation_states_updated_at'), 'conversation_states', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_conversation_states_updated_at'), table_name='conversation_states')
    op.drop_table('conversation_states')
