"""content: a guidance version's text and captions in other languages

Revision ID: 0021_content_translation
Revises: 0020_content_poster
Create Date: 2026-12-03 14:30:00

``content_translation``: one row per version and language (title, summary, body, and the
captions file in that language), translated from the version's English and approved with it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021_content_translation'
down_revision: str | None = '0020_content_poster'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('content_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=400), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('captions_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['captions_sha256'], ['content_media.sha256'],
                            name=op.f('fk_content_translation_captions_sha256_content_media')),
    sa.ForeignKeyConstraint(['version_id'], ['content_version.id'],
                            name=op.f('fk_content_translation_version_id_content_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translation')),
    sa.UniqueConstraint('version_id', 'language',
                        name=op.f('uq_content_translation_version_id_language'))
    )
    with op.batch_alter_table('content_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_translation_version_id'), ['version_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('content_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_translation_version_id'))
    op.drop_table('content_translation')
