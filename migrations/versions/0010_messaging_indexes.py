"""messaging indexes for the team inbox

The inbox's first page is ordered by (urgent, last message) within a team's open threads; with
this index PostgreSQL walks it backwards and stops at the page's 25 rows instead of sorting
every open thread of the team. ``ix_message_thread_team_last`` answers "latest activity" (the
inbox's polling) the same way, and ``ix_message_thread_team_status_waiting_due`` the "overdue"
and "waiting" counts. The old (team, status, last message) index is a prefix of the new
one's use and is dropped.

Revision ID: 0010_messaging_indexes
Revises: 0012_carers_more
Create Date: 2026-12-03 09:12:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010_messaging_indexes'
down_revision: str | None = '0012_carers_more'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('message_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_message_thread_team_status_last')
        batch_op.create_index('ix_message_thread_team_status_urgent_last',
                              ['team_id', 'status', 'urgent', 'last_message_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_message_thread_team_last', ['team_id', 'last_message_at'],
                              unique=False)
        batch_op.create_index('ix_message_thread_team_status_waiting_due',
                              ['team_id', 'status', 'waiting_on', 'reply_due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('message_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_message_thread_team_status_waiting_due')
        batch_op.drop_index('ix_message_thread_team_last')
        batch_op.drop_index('ix_message_thread_team_status_urgent_last')
        batch_op.create_index('ix_message_thread_team_status_last',
                              ['team_id', 'status', 'last_message_at'], unique=False)
