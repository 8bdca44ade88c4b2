"""The audit trail of administrative actions (issue 12, item 9).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
# The brief names 0005; this branch already holds 0008 (parties) on 0005, and two heads
# would stop `upgrade head`. The lead re-chains the migrations at merge.
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('via', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=60), nullable=False),
        sa.Column('target', sa.String(length=400), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit')),
    )


def downgrade() -> None:
    op.drop_table('audit')
