"""Alembic environment. The engine comes from the portal (see portal/migrate.py)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator

import portal.models  # noqa: F401  (registers every table on the metadata)
from portal.db import Base

config = context.config
target_metadata = Base.metadata


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    """Our own column types (portal.crypto's encrypted ones) are their storage type on disk:
    render them as that, so a migration never imports application code."""
    if kind == "type" and isinstance(obj, TypeDecorator) and type(obj).__module__.startswith(
            "portal."):
        return f"sa.{obj.impl_instance!r}"
    return False


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
