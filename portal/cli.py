"""Command-line interface: ``flask --app wsgi <group> <command>``."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from portal import migrate
from portal.extensions import db

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")
users_cli = AppGroup("users", help="Manage accounts.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database named by DATABASE_URL to REVISION (default: head)."""
    migrate.upgrade(db.engine, revision)
    click.echo(f"Database upgraded to {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(db.engine, revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration, comparing the models with the database."""
    migrate.revision(db.engine, message, autogenerate)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    migrate.current(db.engine)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              help="resident, carer, editor, moderator, care_worker, author, approver, admin")
@click.option("--org", "orgs", multiple=True, help="Organisation slug (editors).")
@click.option("--team", "teams", multiple=True, help="Care team slug (care workers).")
@click.option("--name", "display_name", default=None, help="Display name.")
def users_create(email: str, roles: tuple[str, ...], orgs: tuple[str, ...],
                 teams: tuple[str, ...], display_name: str | None) -> None:
    """Create an account. The password is read from stdin, or generated and printed."""
    from portal.accounts import services
    from portal.accounts.models import CareTeam
    from portal.authz import Role
    from portal.directory.models import Organisation

    try:
        role_values = [Role(value) for value in roles]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from exc
    session = db.session
    org_rows = [_by_slug(session, Organisation, slug, "--org") for slug in orgs]
    team_rows = [_by_slug(session, CareTeam, slug, "--team") for slug in teams]
    password = "" if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    generated = not password
    if generated:
        password = secrets.token_urlsafe(15)
    try:
        services.create_user(
            session, email=email, password=password,
            display_name=display_name or email.split("@")[0],
            roles=role_values, organisations=org_rows, teams=team_rows,
        )
    except services.AccountError as exc:
        raise click.ClickException(f"An account with the email {email} already exists.") from exc
    session.commit()
    click.echo(f"Created {email} with roles: {', '.join(r.value for r in role_values)}.")
    if generated:
        click.echo(f"Password: {password}")


_DEMO_DIR_OPTION = click.option(
    "--data", "data_dir", envvar="PORTAL_DEMO_DIR", show_envvar=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="The folder of demo data files (default: the repository's demo/ folder).")


@users_cli.command("demo-code")
@_DEMO_DIR_OPTION
def users_demo_code(data_dir: Path | None) -> None:
    """Print the current second-factor code of the demo staff accounts (development only)."""
    import pyotp
    from flask import current_app

    from portal import demo

    if current_app.config["PORTAL_ENV"] != "development":
        raise click.ClickException("Demo codes exist only in development.")
    try:
        people = demo.read_people(data_dir)
    except demo.DemoDataError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(pyotp.TOTP(people.totp_secret).now())


def _by_slug(session, model, slug: str, hint: str):  # type: ignore[no-untyped-def]
    row = session.scalar(select(model).where(model.slug == slug))
    if row is None:
        raise click.BadParameter(f"No {model.__name__} with slug {slug!r}.", param_hint=hint)
    return row


@click.command("demo")
@_DEMO_DIR_OPTION
@with_appcontext
def demo_command(data_dir: Path | None) -> None:
    """Load demo data from data files (idempotent): places, listings, teams, an account per
    role, moderation work and guidance. The files and their format: demo/README.md."""
    from portal import demo

    try:
        people = demo.read_people(data_dir)
        accounts = demo.load(db.session, root=data_dir)
    except demo.DemoDataError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo("Demo data loaded. Demo accounts (development only):")
    for account in accounts:
        click.echo(f"  {account.role:<12} {account.email:<36} password: {account.password}")
    click.echo(f"Staff accounts ask for a code from an authenticator app set up with the key "
               f"{people.totp_secret}, or run: flask --app wsgi users demo-code")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    # Each area owns its commands.
    from portal.audit.cli import audit_cli
    from portal.circles.cli import teams_cli
    from portal.content.cli import content_cli
    from portal.crypto import keys_cli
    from portal.directory.cli import directory_cli, geo_cli
    from portal.journeys.cli import journeys_cli
    from portal.messaging.cli import messaging_cli
    from portal.moderation.cli import moderation_cli
    from portal.ops.cli import commands as ops_commands
    from portal.outbox.cli import outbox_cli
    from portal.search.cli import search_cli

    for group in (directory_cli, geo_cli, moderation_cli, search_cli, audit_cli, keys_cli,
                  content_cli, outbox_cli, messaging_cli, journeys_cli, teams_cli, *ops_commands):
        app.cli.add_command(group)

