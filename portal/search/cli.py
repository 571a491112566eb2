from __future__ import annotations

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the database."""
    from portal.search import SearchIndex

    count = SearchIndex.for_app().rebuild()
    click.echo(f"Search index rebuilt: {count} documents.")
