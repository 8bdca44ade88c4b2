"""Parties' names, kinds, zones and details from the parties file (DESIGN.md §8).

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('parties') as batch:
        batch.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('details', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('parties') as batch:
        for column in ('details', 'timezone', 'kind', 'name'):
            batch.drop_column(column)
