"""Ticket changes: the tickets each load touched, in the order the loads committed, so that
live status and the worker's look at stopped breaches recompute only those after a load.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
              nullable=False),
    sa.Column('ticket_id', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_changes')),
    # Ids are never used again, even after the oldest rows are pruned.
    sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table('ticket_changes')
