from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the database."""
    from portal.extensions import db
    from portal.search import SearchIndex, outbox

    started = time.perf_counter()
    count = outbox.rebuild(SearchIndex.for_app(), db.session.get_bind())
    click.echo(f"Search index rebuilt: {count} documents in {time.perf_counter() - started:.1f}s.")


@search_cli.command("verify")
@click.option("--limit", default=20, show_default=True, help="How many ids to list per kind.")
def search_verify(limit: int) -> None:
    """Compare the index with the database; exit code 1 when they differ."""
    from portal.extensions import db
    from portal.search import SearchIndex

    index = SearchIndex.for_app()
    if not index.exists():
        click.echo("There is no search index yet: run `flask --app wsgi search reindex`.")
        sys.exit(1)
    difference = index.verify(db.session)
    if difference.matches:
        click.echo("The search index matches the database.")
        return
    for kind, ids in (("missing", difference.missing), ("extra", difference.extra),
                      ("stale", difference.stale)):
        if ids:
            shown = ", ".join(ids[:limit]) + (" …" if len(ids) > limit else "")
            click.echo(f"{kind}: {len(ids)} ({shown})")
    click.echo("The search index differs from the database: run `flask --app wsgi search reindex`.")
    sys.exit(1)


@search_cli.command("drain")
def search_drain() -> None:
    """Apply any index changes still waiting in the outbox (left by a crash or a busy lock)."""
    from portal.extensions import db
    from portal.search import SearchIndex, outbox
    from portal.search.models import SearchOutbox

    waiting = db.session.query(SearchOutbox).count()
    db.session.rollback()
    outbox.apply(SearchIndex.for_app(), db.session, leftovers=True, everything=True)
    click.echo(f"Applied {waiting} waiting index changes.")
