"""``flask --app wsgi messaging purge``: the retention policy for closed threads."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

messaging_cli = AppGroup("messaging", help="Secure messaging: retention.")

DEFAULT_RETENTION_DAYS = 730


@messaging_cli.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Delete threads closed more than this many days ago "
                   "(default: MESSAGING_RETENTION_DAYS, or 730).")
def purge_command(days: int | None) -> None:
    """Delete closed threads past the retention period, with their messages and files."""
    from portal.messaging.services import purge_closed

    keep = days or int(current_app.config.get("MESSAGING_RETENTION_DAYS",
                                              DEFAULT_RETENTION_DAYS))
    count = purge_closed(db.session, days=keep)
    click.echo(f"Deleted {count} closed thread(s) older than {keep} days.")
