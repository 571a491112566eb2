"""Migrations upgrade an empty database to head, match the models, and go back down."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import portal.models  # noqa: F401
from portal import migrate
from portal.db import Base, build_engine
from tests.helpers.database import BACKENDS, throwaway_database


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_empty_to_head_matches_the_models(backend, tmp_path):
    with throwaway_database(backend, tmp_path) as url:
        engine = build_engine(url)
        try:
            migrate.upgrade(engine)
            with engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "target_metadata": Base.metadata})
                assert compare_metadata(context, Base.metadata) == []
            migrate.downgrade(engine, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            migrate.upgrade(engine)
            assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()


def test_there_is_exactly_one_head():
    config = migrate.alembic_config(engine=None)  # type: ignore[arg-type]
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
