"""figures: first contact, first reply and search gap counts stored as they happen

Revision ID: 0017_figures_stored
Revises: 0016_journey_resume
Create Date: 2026-12-03 14:00:00

* ``carer_referral``: ``contact_made_at``, ``contact_days``, ``contact_working_days`` and
  ``reached_at`` (set by ``portal.carers.progress`` on each status change), and an index on
  ``created_at``.
* ``message_thread``: ``first_reply_due_at``, ``first_reply_at`` and ``reply_working_hours``
  (set by ``portal.messaging.services``), and an index of the threads still waiting for one.
* ``search_gap_count``, ``search_gap_locality_count``, ``search_gap_words``: searches that
  found nothing by month, locality and words (kept by ``portal.search.gaps``).
* ``figures_referral_count``, ``figures_thread_day``, ``figures_reply_count``: the counts the
  figures pages sum (``portal.figures.models``, kept by the carers and messaging services).

Every existing row is filled in from what the figures used to compute at read time (the
referral's status changes, the thread's messages, the search gap rows): docs/adr/0009.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0017_figures_stored'
down_revision: str | None = '0016_journey_resume'
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
        batch_op.create_index('ix_message_thread_awaiting_first_reply', ['team_id', 'created_at'],
                              unique=False, postgresql_where=sa.text('first_reply_at IS NULL'),
                              sqlite_where=sa.text('first_reply_at IS NULL'))
    op.create_table('search_gap_count',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('locality', sa.String(length=80), nullable=False),
    sa.Column('words', sa.String(length=400), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'locality', 'words', name=op.f('pk_search_gap_count'))
    )
    with op.batch_alter_table('search_gap_count', schema=None) as batch_op:
        batch_op.create_index('ix_search_gap_count_words_month', ['words', 'month'], unique=False)
    op.create_table('search_gap_locality_count',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('locality', sa.String(length=80), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'locality', name=op.f('pk_search_gap_locality_count'))
    )
    op.create_table('search_gap_words',
    sa.Column('words', sa.String(length=400), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('words', name=op.f('pk_search_gap_words'))
    )
    with op.batch_alter_table('search_gap_words', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_gap_words_total'), ['total'], unique=False)
    op.create_table('figures_referral_count',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('locality_id', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('contact_tenths', sa.Integer(), nullable=False),
    sa.Column('within_target', sa.Boolean(), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'locality_id', 'urgent', 'contact_tenths', 'within_target',
                            'reached', 'completed', name=op.f('pk_figures_referral_count'))
    )
    op.create_table('figures_thread_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('threads', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'team_id', name=op.f('pk_figures_thread_day'))
    )
    op.create_table('figures_reply_count',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('reply_tenths', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'team_id', 'reply_tenths', 'late',
                            name=op.f('pk_figures_reply_count'))
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
    from types import SimpleNamespace

    from portal.carers.models import ReferralStatus
    from portal.carers.progress import CONTACTED, REACHED, contact_figures, figures_key
    from portal.figures.counts import Tally, bump
    from portal.figures.models import ReferralCount

    contacted = tuple(s.value for s in CONTACTED)
    reached = tuple(s.value for s in REACHED)
    slugs = dict(bind.execute(sa.text('SELECT id, slug FROM care_team')).all())
    rows = bind.execute(sa.text(
        'SELECT r.id, r.team_id, r.created_at, r.status, r.updated_at, '
        'MIN(CASE WHEN u.status IN :contacted THEN u.created_at END), '
        'MIN(CASE WHEN u.status IN :reached THEN u.created_at END), r.locality_id, r.urgent '
        'FROM carer_referral r LEFT JOIN carer_referral_update u ON u.referral_id = r.id '
        'GROUP BY r.id, r.team_id, r.created_at, r.status, r.updated_at, r.locality_id, r.urgent')
        .bindparams(sa.bindparam('contacted', expanding=True), sa.bindparam('reached', expanding=True)),
        {'contacted': list(contacted), 'reached': list(reached)}).all()
    changes = []
    tally = Tally()
    for rid, team_id, sent, status, updated, contact_at, reached_at, locality_id, urgent in rows:
        if reached_at is None and status in reached:
            reached_at = updated
        days, working = (contact_figures(slugs.get(team_id), _aware(sent), _aware(contact_at))
                         if contact_at is not None else (None, None))
        bump(tally, ReferralCount, figures_key(SimpleNamespace(  # type: ignore[arg-type]
            created_at=_aware(sent), locality_id=locality_id, urgent=bool(urgent),
            contact_days=days, contact_working_days=working, reached_at=reached_at,
            status=ReferralStatus(status))), count=1)
        if contact_at is None and reached_at is None:
            continue
        changes.append({'rid': rid, 'contact_at': _aware(contact_at) if contact_at else None,
                        'days': days, 'working': working,
                        'reached_at': _aware(reached_at) if reached_at else None})
    statement = sa.text('UPDATE carer_referral SET contact_made_at = :contact_at, contact_days = '
                        ':days, contact_working_days = :working, reached_at = :reached_at '
                        'WHERE id = :rid')
    for start in range(0, len(changes), BATCH):
        bind.execute(statement, changes[start:start + BATCH])
    _insert(bind, tally, ReferralCount)


def _insert(bind: sa.engine.Connection, tally, model) -> None:  # type: ignore[no-untyped-def]
    """The rows ``tally`` holds for ``model``'s table."""
    rows = tally.rows(model)
    if not rows:
        return
    columns = list(rows[0])
    statement = sa.text(f"INSERT INTO {model.__tablename__} ({', '.join(columns)}) VALUES "
                        f"({', '.join(':' + c for c in columns)})")
    for start in range(0, len(rows), BATCH):
        bind.execute(statement, rows[start:start + BATCH])


def _backfill_threads(bind: sa.engine.Connection) -> None:
    from portal.figures import counts
    from portal.figures.models import ReplyCount, ThreadDay
    from portal.messaging.hours import team_hours

    slugs = dict(bind.execute(sa.text('SELECT id, slug FROM care_team')).all())
    asked = bind.execute(sa.text(
        "SELECT t.id, t.team_id, MIN(m.created_at), t.created_at, t.urgent FROM message_thread t "
        "JOIN message m ON m.thread_id = t.id AND m.kind = 'person' "
        "GROUP BY t.id, t.team_id, t.created_at, t.urgent")).all()
    replied: dict[int, datetime] = {}
    for tid, at in bind.execute(sa.text(
            "SELECT m.thread_id, MIN(m.created_at) FROM message m "
            "JOIN (SELECT thread_id, MIN(created_at) AS asked FROM message WHERE kind = 'person' "
            "GROUP BY thread_id) a ON a.thread_id = m.thread_id "
            "WHERE m.kind = 'team' AND m.created_at >= a.asked GROUP BY m.thread_id")):
        replied[tid] = _aware(at)
    changes = []
    tally = counts.Tally()
    for tid, team_id, first, created, urgent in asked:
        hours = team_hours(slugs.get(team_id) or 'default')
        first, created = _aware(first), _aware(created)
        reply = replied.get(tid)
        due = hours.reply_due(first)
        counts.thread_started(tally, team_id=team_id, at=created, urgent=bool(urgent))
        taken = (counts.first_reply(tally, team_id=team_id, hours=hours, started=first,
                                    replied=reply, due=due) if reply is not None else None)
        changes.append({'tid': tid, 'due': due, 'reply': reply, 'hours': taken})
    statement = sa.text('UPDATE message_thread SET first_reply_due_at = :due, first_reply_at = '
                        ':reply, reply_working_hours = :hours WHERE id = :tid')
    for start in range(0, len(changes), BATCH):
        bind.execute(statement, changes[start:start + BATCH])
    _insert(bind, tally, ThreadDay)
    _insert(bind, tally, ReplyCount)


def _backfill_gaps(bind: sa.engine.Connection) -> None:
    import json

    from portal.figures.counts import Tally
    from portal.search.gaps import count_gap
    from portal.search.models import SearchGapCount, SearchGapLocalityCount, SearchGapWords

    tally = Tally()
    for query, filters, created_at in bind.execute(sa.text(
            'SELECT query, filters, created_at FROM search_gap')).yield_per(BATCH):
        found = json.loads(filters) if isinstance(filters, str) else (filters or {})
        count_gap(tally, words=query or '', filters=found, at=_aware(created_at))
    for model in (SearchGapCount, SearchGapLocalityCount, SearchGapWords):
        _insert(bind, tally, model)


def downgrade() -> None:
    op.drop_table('figures_reply_count')
    op.drop_table('figures_thread_day')
    op.drop_table('figures_referral_count')
    with op.batch_alter_table('search_gap_words', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_gap_words_total'))
    op.drop_table('search_gap_words')
    op.drop_table('search_gap_locality_count')
    with op.batch_alter_table('search_gap_count', schema=None) as batch_op:
        batch_op.drop_index('ix_search_gap_count_words_month')
    op.drop_table('search_gap_count')
    with op.batch_alter_table('message_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_message_thread_awaiting_first_reply')
        batch_op.drop_column('reply_working_hours')
        batch_op.drop_column('first_reply_at')
        batch_op.drop_column('first_reply_due_at')
    with op.batch_alter_table('carer_referral', schema=None) as batch_op:
        batch_op.drop_index('ix_carer_referral_created_at')
        batch_op.drop_column('reached_at')
        batch_op.drop_column('contact_working_days')
        batch_op.drop_column('contact_days')
        batch_op.drop_column('contact_made_at')
