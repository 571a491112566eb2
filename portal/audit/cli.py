"""``flask --app wsgi audit verify``: check the whole hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.audit.services import verify_chain
from portal.extensions import db

audit_cli = AppGroup("audit", help="The audit log.")

PROBLEMS = {
    "missing": "an entry is missing before it (ids must be consecutive)",
    "link": "it does not point at the hash of the entry before it",
    "content": "its contents do not match its hash (changed after it was written)",
}


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check every entry's hash and link; exit 1 at the first broken entry."""
    report = verify_chain(db.session)
    db.session.rollback()
    if report.intact:
        click.echo(f"Audit chain intact: {report.checked} entries checked.")
        return
    click.echo(f"Audit chain broken at entry {report.broken_at}: {PROBLEMS[report.problem or '']}. "
               f"{report.checked} entries before it are intact.", err=True)
    click.get_current_context().exit(1)
