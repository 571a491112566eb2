"""search: an append-only change log for every engine; PostgreSQL full-text search documents

Revision ID: 0013_search_pg
Revises: 0013_content_send_back
Create Date: 2026-12-03 10:00:00

* ``search_change`` (every database) replaces ``search_outbox``: rows are never deleted by
  whoever applies them, so each server's Whoosh index follows it from its own position. Changes
  still waiting in the outbox become the first log rows.
* On PostgreSQL only, in a schema of its own (``search``, not part of the models): the
  ``search.words`` text search configuration (``simple``, with ``unaccent`` when the extension
  can be installed), and ``search.service_document`` with its weighted ``tsvector`` and GIN
  indexes, for ``SEARCH_BACKEND=postgresql``. It is filled by ``flask search reindex`` (or the
  first search), then kept in step in the same transaction as every listing change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0013_search_pg'
down_revision: str | None = '0013_content_send_back'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_change'))
    )
    with op.batch_alter_table('search_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_change_created_at'), ['created_at'], unique=False)
    op.execute("INSERT INTO search_change (service_id, created_at) "
               "SELECT object_id, created_at FROM search_outbox ORDER BY id")
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_object_id'))
    op.drop_table('search_outbox')

    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute('CREATE SCHEMA IF NOT EXISTS search')
    unaccent = _install_unaccent(bind)
    op.execute('CREATE TEXT SEARCH CONFIGURATION search.words (COPY = pg_catalog.simple)')
    if unaccent:
        op.execute('ALTER TEXT SEARCH CONFIGURATION search.words ALTER MAPPING FOR '
                   'asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, '
                   'hword_part, hword_numpart WITH unaccent, simple')
    op.create_table('service_document',
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('vector', postgresql.TSVECTOR(), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('facets', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('open_at', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('checked', sa.Date(), nullable=True),
    sa.Column('lats', postgresql.ARRAY(sa.Float()), nullable=False),
    sa.Column('lons', postgresql.ARRAY(sa.Float()), nullable=False),
    sa.Column('vocab', sa.Text(), nullable=False),
    sa.Column('stored', postgresql.JSONB(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['public.service.id'], name='fk_service_document_service',
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', name='pk_service_document'),
    schema='search'
    )
    op.create_index('ix_service_document_vector', 'service_document', ['vector'],
                    schema='search', postgresql_using='gin')
    op.create_index('ix_service_document_tags', 'service_document', ['tags'],
                    schema='search', postgresql_using='gin')
    op.create_index('ix_service_document_name', 'service_document', ['name', 'service_id'],
                    schema='search')


def _install_unaccent(bind: sa.Connection) -> bool:
    """Install ``unaccent`` if this database user may (it needs the right privileges); go on
    without it otherwise: the portal folds accents itself before words reach the database."""
    available = bind.execute(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")).first()
    if not available:
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS unaccent'))
    except sa.exc.DBAPIError:
        return False
    return True


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP SCHEMA IF EXISTS search CASCADE')
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_object_id'), ['object_id'], unique=False)
    with op.batch_alter_table('search_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_change_created_at'))
    op.drop_table('search_change')
