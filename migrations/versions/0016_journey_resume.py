"""journeys: emailed links to come back to a form, and drafts found by their account

Revision ID: 0016_journey_resume
Revises: 0015_address_notice
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0016_journey_resume'
down_revision: str | None = '0015_address_notice'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('journey_resume_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['journey_draft.id'], name=op.f('fk_journey_resume_link_draft_id_journey_draft'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_resume_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_journey_resume_link_token_hash'))
    )
    with op.batch_alter_table('journey_resume_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journey_resume_link_draft_id'), ['draft_id'], unique=False)
    with op.batch_alter_table('journey_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journey_draft_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('journey_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journey_draft_user_id'))
    with op.batch_alter_table('journey_resume_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journey_resume_link_draft_id'))
    op.drop_table('journey_resume_link')
