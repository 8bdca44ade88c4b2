"""Reports: the monthly report PDFs printed from the stored results, by customer, period and
the key of the page printed, with the evaluation they were printed from.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('page_sha256', sa.String(length=64), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                            name=op.f('fk_reports_evaluation_id_evaluations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    # One report per page printed: the key of a download finds it.
    sa.UniqueConstraint('customer', 'period', 'page_sha256', name=op.f('uq_reports_customer'))
    )


def downgrade() -> None:
    op.drop_table('reports')
