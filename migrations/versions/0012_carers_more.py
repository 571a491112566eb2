"""carers: assignment and contact attempts

Revision ID: 0012_carers_more
Revises: 0011_version_changes
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012_carers_more'
down_revision: str | None = '0011_version_changes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('carer_referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_contact_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_carer_referral_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_carer_referral_assigned_to_id_user_account'), 'user_account', ['assigned_to_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_carer_referral_assigned_when'), 'assigned_to_id IS NULL OR assigned_at IS NOT NULL')

    op.create_table('carer_referral_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('phone', 'email', 'text', 'letter', 'visit', name='contactmethod', native_enum=False, length=20), nullable=False),
    sa.Column('outcome', sa.Enum('reached', 'no_answer', 'left_message', 'wrong_details', name='contactoutcome', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_carer_referral_contact_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['carer_referral.id'], name=op.f('fk_carer_referral_contact_referral_id_carer_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carer_referral_contact'))
    )
    with op.batch_alter_table('carer_referral_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carer_referral_contact_referral_id'), ['referral_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('carer_referral_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carer_referral_contact_referral_id'))
    op.drop_table('carer_referral_contact')
    with op.batch_alter_table('carer_referral', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_carer_referral_assigned_when'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_carer_referral_assigned_to_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_carer_referral_assigned_to_id'))
        batch_op.drop_column('first_contact_at')
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('assigned_to_id')
