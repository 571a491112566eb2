"""content: a poster picture for each guidance item's video

Revision ID: 0020_content_poster
Revises: 0019_search_gin_fastupdate
Create Date: 2026-12-03 14:00:00

``content_item.poster_sha256``: the picture a video shows before it plays (a ``content_media``
row). It belongs to the item, not to a version: it is not clinical content, so it changes
without a new approval.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020_content_poster'
down_revision: str | None = '0019_search_gin_fastupdate'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poster_sha256', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_content_item_poster_sha256_content_media'),
                                    'content_media', ['poster_sha256'], ['sha256'])


def downgrade() -> None:
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_content_item_poster_sha256_content_media'),
                                 type_='foreignkey')
        batch_op.drop_column('poster_sha256')
