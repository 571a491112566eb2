"""``flask --app wsgi journeys purge``: unsent form drafts are not kept for ever."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

journeys_cli = AppGroup("journeys", help="Multi-page forms: drafts never sent.")

DEFAULT_DRAFT_DAYS = 30


@journeys_cli.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Delete unsent drafts untouched for more than this many days "
                   "(default 30; never fewer than CARER_RESUME_DAYS, so no link outlives "
                   "its draft).")
def purge_command(days: int | None) -> None:
    """Delete unsent drafts past their time, with their links back."""
    from portal.journeys.services import purge_drafts

    config = current_app.config
    keep = max(days or DEFAULT_DRAFT_DAYS, int(config.get("CARER_RESUME_DAYS", 7)))
    count = purge_drafts(db.session, days=keep)
    click.echo(f"Deleted {count} unsent draft(s) untouched for more than {keep} days.")
