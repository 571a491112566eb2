from __future__ import annotations

from flask.cli import AppGroup

moderation_cli = AppGroup("moderation", help="Listing reviews, freshness reminders and reports.")
