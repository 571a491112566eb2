"""schedules: every N weeks, weeks of the month in byday, dates of the month, one date, closures

Revision ID: 0003_schedule_rules
Revises: 0004
Create Date: 2026-12-02 15:40:00

A monthly schedule's week of the month moves from ``week_of_month`` into ``byday`` ordinals
("SA" + week 2 -> "2SA"), as ORUK writes it; the old column stays (read as a fallback).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003_schedule_rules'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interval', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('bymonthday', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('dtstart', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    schedule = sa.table('schedule', sa.column('id', sa.String), sa.column('freq', sa.String),
                        sa.column('byday', sa.String), sa.column('week_of_month', sa.Integer))
    connection = op.get_bind()
    rows = connection.execute(sa.select(schedule.c.id, schedule.c.byday, schedule.c.week_of_month)
                              .where(schedule.c.freq == 'MONTHLY',
                                     schedule.c.week_of_month.is_not(None))).all()
    for row in rows:
        week = -1 if row.week_of_month < 0 else row.week_of_month
        days = [d.strip() for d in (row.byday or '').split(',') if d.strip()]
        byday = ','.join(d if d[:1] in '+-0123456789' else f'{week}{d}' for d in days)
        connection.execute(schedule.update().where(schedule.c.id == row.id)
                           .values(byday=byday or None, week_of_month=None))


def downgrade() -> None:
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_column('closed')
        batch_op.drop_column('until')
        batch_op.drop_column('dtstart')
        batch_op.drop_column('bymonthday')
        batch_op.drop_column('interval')
