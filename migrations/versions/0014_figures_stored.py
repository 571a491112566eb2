"""figures: first contact, first reply and search gap counts stored as they happen

Revision ID: 0014_figures_stored
Revises: 0013_search_pg
Create Date: 2026-12-03 14:00:00

* ``carer_referral``: ``contact_made_at``, ``contact_days``, ``contact_working_days`` and
  ``reached_at`` (set by ``portal.carers.progress`` on each status change), and an index on
  ``created_at``.
* ``message_thread``: ``first_reply_due_at``, ``first_reply_at`` and ``reply_working_hours``
  (set by ``portal.messaging.services``), and an index on ``(created_at, team_id)``.
* ``search_gap_count``: searches that found nothing by month, locality and words (kept by
  ``portal.search.gaps``).

Every existing row is filled in from what the figures used to compute at read time (the
referral's status changes, the thread's messages, the search gap rows): docs/adr/0009.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0014_figures_stored'
down_revision: str | None = '0013_search_pg'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table('carer_referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_made_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contact_days', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('contact_working_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reached_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_carer_referral_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('message_thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_reply_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_reply_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reply_working_hours', sa.Float(), nullable=True))
        batch_op.create_index('ix_message_thread_created_team', ['created_at', 'team_id'], unique=False)
    op.create_table('search_gap_count',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('locality', sa.String(length=80), nullable=False),
    sa.Column('words', sa.String(length=400), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'locality', 'words', name=op.f('pk_search_gap_count'))
    )
    bind = op.get_bind()
    _backfill_referrals(bind)
    _backfill_threads(bind)
    _backfill_gaps(bind)


def _aware(value):  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _backfill_referrals(bind: sa.engine.Connection) -> None:
    from portal.carers.progress import CONTACTED, REACHED, contact_figures

    contacted = tuple(s.value for s in CONTACTED)
    reached = tuple(s.value for s in REACHED)
    slugs = dict(bind.execute(sa.text('SELECT id, slug FROM care_team')).all())
    rows = bind.execute(sa.text(
        'SELECT r.id, r.team_id, r.created_at, r.status, r.updated_at, '
        'MIN(CASE WHEN u.status IN :contacted THEN u.created_at END), '
        'MIN(CASE WHEN u.status IN :reached THEN u.created_at END) '
        'FROM carer_referral r LEFT JOIN carer_referral_update u ON u.referral_id = r.id '
        'GROUP BY r.id, r.team_id, r.created_at, r.status, r.updated_at')
        .bindparams(sa.bindparam('contacted', expanding=True), sa.bindparam('reached', expanding=True)),
        {'contacted': list(contacted), 'reached': list(reached)}).all()
    changes = []
    for rid, team_id, sent, status, updated, contact_at, reached_at in rows:
        if reached_at is None and status in reached:
            reached_at = updated
        if contact_at is None and reached_at is None:
            continue
        days, working = (contact_figures(slugs.get(team_id), _aware(sent), _aware(contact_at))
                         if contact_at is not None else (None, None))
        changes.append({'rid': rid, 'contact_at': _aware(contact_at) if contact_at else None,
                        'days': days, 'working': working,
                        'reached_at': _aware(reached_at) if reached_at else None})
    statement = sa.text('UPDATE carer_referral SET contact_made_at = :contact_at, contact_days = '
                        ':days, contact_working_days = :working, reached_at = :reached_at '
                        'WHERE id = :rid')
    for start in range(0, len(changes), BATCH):
        bind.execute(statement, changes[start:start + BATCH])


def _backfill_threads(bind: sa.engine.Connection) -> None:
    from portal.messaging.hours import team_hours, working_time

    slugs = dict(bind.execute(sa.text('SELECT id, slug FROM care_team')).all())
    asked = bind.execute(sa.text(
        "SELECT t.id, t.team_id, MIN(m.created_at) FROM message_thread t "
        "JOIN message m ON m.thread_id = t.id AND m.kind = 'person' "
        "GROUP BY t.id, t.team_id")).all()
    replied: dict[int, datetime] = {}
    for tid, at in bind.execute(sa.text(
            "SELECT m.thread_id, MIN(m.created_at) FROM message m "
            "JOIN (SELECT thread_id, MIN(created_at) AS asked FROM message WHERE kind = 'person' "
            "GROUP BY thread_id) a ON a.thread_id = m.thread_id "
            "WHERE m.kind = 'team' AND m.created_at >= a.asked GROUP BY m.thread_id")):
        replied[tid] = _aware(at)
    changes = []
    for tid, team_id, first in asked:
        hours = team_hours(slugs.get(team_id) or 'default')
        first = _aware(first)
        reply = replied.get(tid)
        changes.append({'tid': tid, 'due': hours.reply_due(first), 'reply': reply,
                        'hours': working_time(hours, first, reply).total_seconds() / 3600
                        if reply is not None else None})
    statement = sa.text('UPDATE message_thread SET first_reply_due_at = :due, first_reply_at = '
                        ':reply, reply_working_hours = :hours WHERE id = :tid')
    for start in range(0, len(changes), BATCH):
        bind.execute(statement, changes[start:start + BATCH])


def _backfill_gaps(bind: sa.engine.Connection) -> None:
    import json

    from portal.search.gaps import gap_locality, month_of, normalise_words

    counts: dict[tuple, int] = defaultdict(int)
    for query, filters, created_at in bind.execute(sa.text(
            'SELECT query, filters, created_at FROM search_gap')).yield_per(BATCH):
        found = json.loads(filters) if isinstance(filters, str) else (filters or {})
        key = (month_of(_aware(created_at)), gap_locality(found)[:80], normalise_words(query or ''))
        counts[key] += 1
    rows = [{'month': m, 'locality': loc, 'words': w, 'count': n}
            for (m, loc, w), n in counts.items()]
    statement = sa.text('INSERT INTO search_gap_count (month, locality, words, count) '
                        'VALUES (:month, :locality, :words, :count)')
    for start in range(0, len(rows), BATCH):
        bind.execute(statement, rows[start:start + BATCH])


def downgrade() -> None:
    op.drop_table('search_gap_count')
    with op.batch_alter_table('message_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_message_thread_created_team')
        batch_op.drop_column('reply_working_hours')
        batch_op.drop_column('first_reply_at')
        batch_op.drop_column('first_reply_due_at')
    with op.batch_alter_table('carer_referral', schema=None) as batch_op:
        batch_op.drop_index('ix_carer_referral_created_at')
        batch_op.drop_column('reached_at')
        batch_op.drop_column('contact_working_days')
        batch_op.drop_column('contact_days')
        batch_op.drop_column('contact_made_at')
