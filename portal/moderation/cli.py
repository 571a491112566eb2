"""``flask --app wsgi moderation ...``: freshness reminders."""

from __future__ import annotations

import os
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db

moderation_cli = AppGroup("moderation", help="Listing reviews, freshness reminders and reports.")

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@moderation_cli.command("remind-stale")
@click.option("--today", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if today were this date (YYYY-MM-DD). Default: today in the UK.")
@click.option("--base-url", default=lambda: os.environ.get("PORTAL_BASE_URL", DEFAULT_BASE_URL),
              show_default="PORTAL_BASE_URL or http://127.0.0.1:5000",
              help="The portal's address, for the links in the emails.")
def remind_stale(on: object, base_url: str) -> None:
    """Email the editors of listings not checked for 12 months (once in 30 days per listing)."""
    from portal.moderation import services

    day: date | None = on.date() if on is not None else None  # type: ignore[attr-defined]
    with current_app.test_request_context(base_url=base_url):
        counts = services.remind_stale(db.session, on=day)
    click.echo(f"Listings that may be out of date: {counts.stale}")
    click.echo(f"Reminded now: {counts.reminded_listings} listings, {counts.emails} emails sent")
    click.echo(f"Reminded in the last 30 days, skipped: {counts.recently_reminded}")
    click.echo(f"No editor to remind: {counts.without_editors}")
