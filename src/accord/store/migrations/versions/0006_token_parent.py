"""Token parents: the token that created a token, so that a token made by a token never
outlives or out-scopes it and is revoked with it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_api_tokens_parent_id_api_tokens'), 'api_tokens',
                                 ['parent_id'], ['id'])
        batch.create_index(op.f('ix_api_tokens_parent_id'), ['parent_id'])


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_index(op.f('ix_api_tokens_parent_id'))
        batch.drop_constraint(op.f('fk_api_tokens_parent_id_api_tokens'), type_='foreignkey')
        batch.drop_column('parent_id')
