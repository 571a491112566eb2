"""search: the PostgreSQL engine's GIN indexes without a pending list (fastupdate off)

Revision ID: 0019_search_gin_fastupdate
Revises: 0018_pulse
Create Date: 2026-12-03 14:30:00

With ``fastupdate`` on (PostgreSQL's default) new entries wait in an unsorted pending list
until a vacuum or 4 MB of them: a full reindex left about 320 pages there at 10,000 services,
every search read all of them, and the planner, pricing that in, scanned the whole table
instead of using the index (a one-word search 17 ms instead of 3). The index is read by every
search and written a listing at a time, so it is kept sorted on each write instead. PostgreSQL
only: the engine's schema exists only there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0019_search_gin_fastupdate'
down_revision: str | None = '0018_pulse'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = ('search.ix_service_document_vector', 'search.ix_service_document_tags')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for index in INDEXES:
        op.execute(f'ALTER INDEX {index} SET (fastupdate = off)')
        op.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")  # what waits already


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for index in INDEXES:
        op.execute(f'ALTER INDEX {index} RESET (fastupdate)')
