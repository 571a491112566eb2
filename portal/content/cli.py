"""``flask --app wsgi content ...``: sync and export the library, review dates, the index."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

content_cli = AppGroup("content", help="The guidance library: sync, export, reviews, search.")

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def library_root() -> Path:
    configured = current_app.config.get("CONTENT_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "content"


@content_cli.command("sync")
@click.option("--from", "source", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The library folder (default: content/ beside the portal package).")
def sync_command(source: Path | None) -> None:
    """Load and validate the library's files; all of it changes, or (on any fault) nothing."""
    from portal.content import sync

    root = source or library_root()
    with current_app.test_request_context(base_url=_base_url()):
        report = sync.sync(db.session, root)
        if not report.ok:
            db.session.rollback()
            for problem in report.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(
                f"{len(report.problems)} problem(s) found in {root}; nothing was changed.")
        db.session.commit()
    click.echo(f"Added: {len(report.created)}, new versions: {len(report.updated)}, "
               f"re-approved: {len(report.reapproved)}, unchanged: {len(report.unchanged)}")


@content_cli.command("export")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write (default: content/ beside the portal package).")
def export_command(target: Path | None) -> None:
    """Write the database's approved versions back to files."""
    from portal.content import sync

    root = target or library_root()
    written = sync.export(db.session, root)
    db.session.rollback()
    click.echo(f"Wrote {len(written)} items to {root}")


@content_cli.command("review-dates")
@click.option("--today", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if today were this date (YYYY-MM-DD). Default: today in the UK.")
def review_dates_command(on: object) -> None:
    """Email authors and approvers when a review date passes (once); withdraw pages 90 days
    after their review date unless they were re-approved."""
    from portal.content import services

    day: date | None = on.date() if on is not None else None  # type: ignore[attr-defined]
    with current_app.test_request_context(base_url=_base_url()):
        counts = services.review_dates(db.session, on=day)
        db.session.commit()
    click.echo(f"Past their review date: {counts.under_review}")
    click.echo(f"Reminded now: {counts.reminded} pages, {counts.emails} emails sent")
    click.echo(f"Withdrawn now: {counts.withdrawn}")


@content_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the guidance search index from the database."""
    from portal.content import search

    count = search.reindex(db.session)
    db.session.rollback()
    click.echo(f"Indexed {count} guidance pages.")


def _base_url() -> str:
    return os.environ.get("PORTAL_BASE_URL", DEFAULT_BASE_URL)
