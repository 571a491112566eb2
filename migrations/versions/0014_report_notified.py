"""a problem report keeps when its notice was emailed (was read back from the audit log)

Revision ID: 0014_report_notified
Revises: 0013_search_pg
Create Date: 2026-12-03 14:10:00

Existing reports count as emailed when they were made: at worst the next report on the same
listing waits out one notice window before it emails again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014_report_notified'
down_revision: str | None = '0013_search_pg'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE problem_report SET notified_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.drop_column('notified_at')
