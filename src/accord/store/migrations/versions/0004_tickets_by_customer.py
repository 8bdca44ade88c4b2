"""Tickets by customer: an index for one customer's open tickets (live status), which
otherwise scans every ticket of every customer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_tickets_customer'), 'tickets', ['customer'])


def downgrade() -> None:
    op.drop_index(op.f('ix_tickets_customer'), table_name='tickets')
