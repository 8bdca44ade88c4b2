"""Create every table: parties, services, agreements and their versions, the data tables of
DESIGN.md §4, and stored evaluation results.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deliveries',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('customer', sa.Text(), nullable=False),
    sa.Column('item', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries'))
    )
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('start', sa.BigInteger(), nullable=False),
    sa.Column('end', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('customer', sa.Text(), nullable=True),
    sa.Column('supplier', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    op.create_table('measurements',
    sa.Column('customer', sa.Text(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(precision=53), nullable=True),
    sa.Column('good', sa.Float(precision=53), nullable=True),
    sa.Column('total', sa.Float(precision=53), nullable=True),
    sa.PrimaryKeyConstraint('customer', 'measure', 'at', 'seq', name=op.f('pk_measurements'))
    )
    op.create_table('parties',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parties'))
    )
    op.create_table('ticket_status',
    sa.Column('ticket_id', sa.Text(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', 'at', 'status', 'seq', name=op.f('pk_ticket_status'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('customer', sa.Text(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('priority', sa.Text(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('first_response_at', sa.BigInteger(), nullable=True),
    sa.Column('resolved_at', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.Text(), nullable=True),
    sa.Column('supplier', sa.Text(), nullable=True),
    sa.Column('extra', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets'))
    )
    op.create_table('agreements',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('provider_id', sa.String(length=200), nullable=False),
    sa.Column('customer', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['parties.id'],
                            name=op.f('fk_agreements_provider_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements'))
    )
    op.create_table('services',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('provider_id', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['parties.id'],
                            name=op.f('fk_services_provider_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    op.create_table('agreement_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agreement_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('file', sa.Text(), nullable=False),
    sa.Column('applied_by', sa.String(length=200), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'],
                            name=op.f('fk_agreement_versions_agreement_id_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_versions')),
    sa.UniqueConstraint('agreement_id', 'version',
                        name=op.f('uq_agreement_versions_agreement_id'))
    )
    op.create_table('results',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.String(length=200), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('customer', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('met', sa.Boolean(), nullable=False),
    sa.Column('credit_percent', sa.String(length=40), nullable=False),
    sa.Column('credit_amount', sa.String(length=40), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('capped', sa.Boolean(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'],
                            name=op.f('fk_results_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                            name=op.f('fk_results_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['version_id'], ['agreement_versions.id'],
                            name=op.f('fk_results_version_id_agreement_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results'))
    )
    op.create_index('ix_results_period', 'results', ['period', 'agreement_id'])
    # One current result per agreement, customer and period; those it replaced are history.
    op.create_index('uq_results_current', 'results', ['agreement_id', 'customer', 'period'],
                    unique=True, sqlite_where=sa.text('current'),
                    postgresql_where=sa.text('current'))

    op.create_table('objective_results',
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('objective', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=20), nullable=False),
    sa.Column('attainment', sa.Float(precision=53), nullable=True),
    sa.Column('goal', sa.Float(precision=53), nullable=True),
    sa.Column('met', sa.Boolean(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('breached', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.Column('credit_percent', sa.Float(precision=53), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'],
                            name=op.f('fk_objective_results_result_id_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('result_id', 'position', name=op.f('pk_objective_results'))
    )


def downgrade() -> None:
    op.drop_table('objective_results')
    op.drop_index('uq_results_current', 'results')
    op.drop_index('ix_results_period', 'results')

    op.drop_table('results')
    op.drop_table('agreement_versions')
    op.drop_table('services')
    op.drop_table('agreements')
    op.drop_table('tickets')
    op.drop_table('ticket_status')
    op.drop_table('parties')
    op.drop_table('measurements')
    op.drop_table('incidents')
    op.drop_table('evaluations')
    op.drop_table('deliveries')
