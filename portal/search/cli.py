from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index (of this server, or PostgreSQL's) from the database."""
    from portal.extensions import db
    from portal.search import backend

    started = time.perf_counter()
    engine = backend.for_app()
    count = engine.rebuild(db.session.get_bind())
    click.echo(f"Search index rebuilt: {count} documents in {time.perf_counter() - started:.1f}s.")


@search_cli.command("verify")
@click.option("--limit", default=20, show_default=True, help="How many ids to list per kind.")
def search_verify(limit: int) -> None:
    """Compare the index with the database; exit code 1 when they differ."""
    from portal.extensions import db
    from portal.search import SearchIndex, backend

    index = SearchIndex.for_app()
    if backend.for_app().name != "whoosh":
        click.echo("The PostgreSQL engine is written with each change: there is nothing to verify.")
        return
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
    """Apply the logged changes this server's index has not applied yet (Whoosh)."""
    from portal.extensions import db
    from portal.search import SearchIndex, outbox

    index = SearchIndex.for_app()
    waiting = outbox.waiting(index, db.session)
    db.session.rollback()
    outbox.apply(index, db.session)
    click.echo(f"Applied {waiting} waiting index changes.")


@search_cli.command("prune-log")
@click.option("--days", default=30, show_default=True, help="Keep changes this many days.")
def search_prune_log(days: int) -> None:
    """Delete change-log rows older than DAYS (a server further behind rebuilds its index)."""
    from portal.extensions import db
    from portal.search import outbox

    click.echo(f"Deleted {outbox.prune(db.session, older_than_days=days)} change-log rows.")
