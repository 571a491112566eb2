"""every save of a guidance version, for the two-person rule

Revision ID: 0011_version_changes
Revises: 0005_messaging
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011_version_changes'
down_revision: str | None = '0005_messaging'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('content_version_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_content_version_change_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['content_version.id'], name=op.f('fk_content_version_change_version_id_content_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version_change'))
    )
    with op.batch_alter_table('content_version_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_version_change_version_id'), ['version_id'], unique=False)
    # What is known of earlier saves: the author and the last editor of each version.
    op.execute("INSERT INTO content_version_change (version_id, user_id, changed_at) "
               "SELECT id, author_id, created_at FROM content_version WHERE author_id IS NOT NULL")
    op.execute("INSERT INTO content_version_change (version_id, user_id, changed_at) "
               "SELECT id, edited_by_id, updated_at FROM content_version "
               "WHERE edited_by_id IS NOT NULL AND (author_id IS NULL OR edited_by_id != author_id)")


def downgrade() -> None:
    with op.batch_alter_table('content_version_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_version_change_version_id'))
    op.drop_table('content_version_change')
