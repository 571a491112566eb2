"""an approver sends a guidance version back to its authors with comments

Revision ID: 0013_content_send_back
Revises: 0010_messaging_indexes
Create Date: 2026-12-03 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013_content_send_back'
down_revision: str | None = '0010_messaging_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('content_send_back',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('approver_name', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('sent_back_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['user_account.id'], name=op.f('fk_content_send_back_approver_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['content_version.id'], name=op.f('fk_content_send_back_version_id_content_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_send_back'))
    )
    with op.batch_alter_table('content_send_back', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_send_back_version_id'), ['version_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('content_send_back', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_send_back_version_id'))
    op.drop_table('content_send_back')
