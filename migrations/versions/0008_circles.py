"""care circles: a care team's contact details and hours

Revision ID: 0005_circles
Revises: 0005_carers
Create Date: 2026-12-02 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_circles'
down_revision: str | None = '0005_carers'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('care_team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('hours', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('care_team', schema=None) as batch_op:
        batch_op.drop_column('hours')
        batch_op.drop_column('email')
        batch_op.drop_column('phone')
