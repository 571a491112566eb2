"""``flask --app wsgi check-deploy``, ``backup PATH`` and ``restore PATH``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.ops.checks import CHECKS, Severity, run_checks, summary

LABELS = {Severity.OK: "ok     ", Severity.WARNING: "warning", Severity.PROBLEM: "PROBLEM"}


@click.command("check-deploy")
@click.option("--strict", is_flag=True, help="Treat warnings as problems too.")
@click.option("--skip", "skipped", multiple=True, type=click.Choice(sorted(CHECKS)),
              help="Leave a check out (the web unit skips mail: a mail outage must not stop a start).")
@with_appcontext
def check_deploy(strict: bool, skipped: tuple[str, ...]) -> None:
    """Check this configuration for production; exit 1 when something is wrong."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    findings = run_checks(app, [check for name, check in CHECKS.items() if name not in skipped])
    for finding in findings:
        click.echo(f"  {LABELS[finding.severity]}  {finding.topic}: {finding.message}")
    counts = summary(findings)
    problems = counts[Severity.PROBLEM] + (counts[Severity.WARNING] if strict else 0)
    tally = f"{counts[Severity.PROBLEM]} problem(s), {counts[Severity.WARNING]} warning(s)"
    if problems:
        click.echo(f"{tally}: not ready for production. Fix the problems above and run this again.",
                   err=True)
        click.get_current_context().exit(1)
    click.echo(f"{tally}: ready for production.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent backup of the database to PATH (a .tar file), safe while serving."""
    from portal.ops import backup

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        manifest = backup.backup(app, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest.row_counts.values())
    click.echo(f"Backed up {rows} rows in {len(manifest.row_counts)} tables "
               f"({manifest.backend}, schema {manifest.revision}) to {path}.")
    click.echo("The encryption keys are not in the backup: keep ENCRYPTION_KEYS safe separately.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore the backup at PATH into the (empty) database of DATABASE_URL, then check it."""
    from portal.ops import backup

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        report = backup.restore(app, path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in report.lines:
        click.echo(f"  {line}")
    if report.problems:
        for line in report.problems:
            click.echo(f"  PROBLEM  {line}", err=True)
        click.echo("The restore finished with problems (above).", err=True)
        click.get_current_context().exit(1)
    click.echo(f"Restored {path}: every check passed.")


commands = (check_deploy, backup_command, restore_command)
