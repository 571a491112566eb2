"""pulse: answers to the "I" statements, kept apart from who was asked

Revision ID: 0018_pulse
Revises: 0017_figures_stored
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018_pulse'
down_revision: str | None = '0017_figures_stored'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pulse_answer',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('locality_id', sa.Integer(), nullable=True),
    sa.Column('quarter', sa.Date(), nullable=False),
    sa.Column('statement', sa.String(length=20), nullable=False),
    sa.Column('answer', sa.Integer(), nullable=False),
    sa.CheckConstraint('answer BETWEEN 1 AND 5', name=op.f('ck_pulse_answer_answer_on_scale')),
    sa.ForeignKeyConstraint(['locality_id'], ['locality.id'], name=op.f('fk_pulse_answer_locality_id_locality'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_answer'))
    )
    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_answer_quarter'), ['quarter'], unique=False)
    op.create_table('pulse_asked',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=10), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['user_account.id'], name=op.f('fk_pulse_asked_person_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'subject', 'subject_id', 'statement', name=op.f('pk_pulse_asked'))
    )


def downgrade() -> None:
    op.drop_table('pulse_asked')
    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_answer_quarter'))
    op.drop_table('pulse_answer')
