"""``flask --app wsgi teams``: set up the care teams a deployment has."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from portal.extensions import db

teams_cli = AppGroup("teams", help="Care teams: the localities each serves, how to reach it.")


@teams_cli.command("set")
@click.argument("slug")
@click.option("--name", default=None, help="The team's name, as people see it.")
@click.option("--locality", "localities", multiple=True,
              help="A locality slug the team serves (repeat for several; replaces the list).")
@click.option("--phone", default=None, help="Phone number people call ('' clears it).")
@click.option("--email", default=None, help="Email address people write to ('' clears it).")
@click.option("--hours-note", "hours", default=None,
              help="A note shown under the opening times ('' clears it).")
def teams_set(slug: str, name: str | None, localities: tuple[str, ...], phone: str | None,
              email: str | None, hours: str | None) -> None:
    """Create the team SLUG, or change what is given. Audited."""
    from portal.circles.teams import TeamError, set_team

    try:
        team, changed = set_team(db.session, slug=slug, name=name,
                                 localities=localities or None, phone=phone, email=email,
                                 hours=hours)
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc
    if changed:
        click.echo(f"{team.slug}: set {', '.join(changed)}.")
    else:
        click.echo(f"{team.slug}: nothing to change.")


@teams_cli.command("list")
def teams_list() -> None:
    """Each team: slug, name, localities served, members."""
    from portal.accounts.models import CareTeam, team_membership

    session = db.session
    for team in session.scalars(select(CareTeam).order_by(CareTeam.slug)):
        members = session.scalar(select(func.count()).select_from(team_membership).where(
            team_membership.c.team_id == team.id))
        places = ", ".join(row.slug for row in team.localities) or "no locality"
        click.echo(f"{team.slug}\t{team.name}\t{places}\t{members} member(s)")
