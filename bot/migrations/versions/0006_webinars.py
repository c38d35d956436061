"""Regional webinars: webinars, subscriptions, broadcasts and their outbox, the scheduler's
lease, volunteers, and drafts of the webinar screens.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('volunteers',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('regions', sa.JSON(), nullable=True),
    sa.Column('granted_by', sa.BigInteger(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_volunteers'))
    )
    op.create_table('webinar_drafts',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('purpose', sa.String(length=8), nullable=False),
    sa.Column('webinar_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_webinar_drafts'))
    )
    op.create_index(op.f('ix_webinar_drafts_updated_at'), 'webinar_drafts', ['updated_at'], unique=False)
    op.create_table('leases',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leases'))
    )
    op.create_table('subscriptions',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=3), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('user_id', 'region', name=op.f('pk_subscriptions'))
    )
    op.create_table('webinars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('announce_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('author_lang', sa.String(length=2), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webinars'))
    )
    op.create_index(op.f('ix_webinars_author_id'), 'webinars', ['author_id'], unique=False)
    op.create_index(op.f('ix_webinars_starts_at'), 'webinars', ['starts_at'], unique=False)
    op.create_index(op.f('ix_webinars_updated_at'), 'webinars', ['updated_at'], unique=False)
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webinar_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('report_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('report_message_id', sa.BigInteger(), nullable=True),
    sa.Column('report_text', sa.Text(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['webinar_id'], ['webinars.id'], name=op.f('fk_broadcasts_webinar_id_webinars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts')),
    sa.UniqueConstraint('webinar_id', 'kind', name=op.f('uq_broadcasts_webinar_id'))
    )
    op.create_index(op.f('ix_broadcasts_finished_at'), 'broadcasts', ['finished_at'], unique=False)
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('webinar_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_deliveries_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['webinar_id'], ['webinars.id'], name=op.f('fk_deliveries_webinar_id_webinars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('webinar_id', 'kind', 'chat_id', name=op.f('uq_deliveries_webinar_id'))
    )
    op.create_index(op.f('ix_deliveries_broadcast_id'), 'deliveries', ['broadcast_id'], unique=False)
    op.create_index(op.f('ix_deliveries_chat_id'), 'deliveries', ['chat_id'], unique=False)
    op.create_index('ix_deliveries_due', 'deliveries', ['status', 'not_before'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_deliveries_due', table_name='deliveries')
    op.drop_index(op.f('ix_deliveries_chat_id'), table_name='deliveries')
    op.drop_index(op.f('ix_deliveries_broadcast_id'), table_name='deliveries')
    op.drop_table('deliveries')
    op.drop_index(op.f('ix_broadcasts_finished_at'), table_name='broadcasts')
    op.drop_table('broadcasts')
    op.drop_index(op.f('ix_webinars_updated_at'), table_name='webinars')
    op.drop_index(op.f('ix_webinars_starts_at'), table_name='webinars')
    op.drop_index(op.f('ix_webinars_author_id'), table_name='webinars')
    op.drop_table('webinars')
    op.drop_table('subscriptions')
    op.drop_table('leases')
    op.drop_index(op.f('ix_webinar_drafts_updated_at'), table_name='webinar_drafts')
    op.drop_table('webinar_drafts')
    op.drop_table('volunteers')
