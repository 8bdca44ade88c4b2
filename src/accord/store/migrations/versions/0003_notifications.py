"""Notifications: subscriptions (webhook or email, scoped by owner and party), the sent state
and outbox of each subscription's events, and every delivery attempt.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('party', sa.String(length=200), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('target', sa.Text(), nullable=False),
    # In clear: the worker signs every webhook body with it.
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('events', sa.String(length=200), nullable=False),
    sa.Column('agreements', sa.Text(), nullable=True),
    sa.Column('thresholds', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE',
                            name=op.f('fk_subscriptions_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=800), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('delivery_id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], ondelete='CASCADE',
                            name=op.f('fk_notifications_subscription_id_subscriptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    # The sent state: one event once per subscription, across restarts.
    sa.UniqueConstraint('subscription_id', 'event_key',
                        name=op.f('uq_notifications_subscription_id')),
    sa.UniqueConstraint('delivery_id', name=op.f('uq_notifications_delivery_id'))
    )
    op.create_index('ix_notifications_due', 'notifications', ['status', 'next_attempt_at'])
    op.create_table('delivery_attempts',
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Float(precision=53), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], ondelete='CASCADE',
                            name=op.f('fk_delivery_attempts_notification_id_notifications')),
    sa.PrimaryKeyConstraint('notification_id', 'number', name=op.f('pk_delivery_attempts'))
    )


def downgrade() -> None:
    op.drop_table('delivery_attempts')
    op.drop_index('ix_notifications_due', 'notifications')
    op.drop_table('notifications')
    op.drop_table('subscriptions')
