from sqlalchemy import func, select

from portal.accounts.models import User
from portal.accounts.passwords import verify_password
from portal.authz import Role
from tests.helpers.factories import make_organisation, make_team


def test_users_create_with_password_from_stdin(app, session):
    org = make_organisation(session)
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Ed@Example.test", "--role", "editor", "--org", org.slug],
        input="a long cli password\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "ed@example.test"))
    assert user.roles == {Role.EDITOR} and user.organisations == [org]
    assert verify_password(user.password_hash, "a long cli password")
    assert "Password:" not in result.output


def test_users_create_generates_and_prints_a_password_when_none_given(app, session):
    team = make_team(session)
    result = app.test_cli_runner().invoke(
        args=["users", "create", "cw@example.test", "--role", "care_worker", "--role", "carer",
              "--team", team.slug], input="")
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    user = session.scalar(select(User).where(User.email == "cw@example.test"))
    assert user.roles == {Role.CARE_WORKER, Role.CARER} and user.teams == [team]
    assert verify_password(user.password_hash, password)


def test_users_create_refuses_an_unknown_role_or_org(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "a@example.test", "--role", "emperor"]
                         ).exit_code == 2
    result = runner.invoke(args=["users", "create", "a@example.test", "--role", "editor",
                                 "--org", "nope"])
    assert result.exit_code == 2 and "No Organisation with slug 'nope'" in result.output


def test_demo_is_idempotent_and_makes_an_account_for_every_role(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    # One account per role, and a second resident (Plymouth, no circle) from care circles.
    assert session.scalar(select(func.count()).select_from(User)) == len(Role) + 1
    with app.app_context():  # accounts have encrypted columns: their keys belong to the app
        roles = set().union(*(u.roles for u in session.scalars(select(User))))
    assert roles == set(Role)
    assert "admin@demo.portal.test" in first.output


def test_demo_gives_the_demo_resident_a_plan_once(app, session, client):
    from portal.plans.models import PlanVersion

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert session.scalar(select(func.count()).select_from(PlanVersion)) == 9
    rose = session.scalar(select(User).where(User.email == "resident@demo.portal.test"))
    client.sign_in_as(rose)
    page = client.page(f"/plans/{rose.id}")
    assert "Please call me Rose." in page.text and "Walk to the harbour and back" in page.text


def test_teams_set_creates_a_team_a_person_then_sees_and_changes_are_audited(app, session,
                                                                             client):
    from portal.accounts.models import CareTeam
    from portal.audit.models import AuditEvent
    from tests.helpers.factories import make_locality, make_user, serve

    home, other = make_locality(session, "brixham"), make_locality(session, "paignton")
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["teams", "set", "bay-team", "--name", "Bay care team",
                                 "--locality", "brixham", "--phone", "01803 000 999",
                                 "--email", "bay@example.test"])
    assert result.exit_code == 0, result.output
    assert "bay-team: set name, localities, phone, email." in result.output
    person = serve(session, make_user(session), home)
    session.commit()
    client.sign_in_as(person)
    page = client.page("/account/team")
    assert "Bay care team" in page.text and "01803 000 999" in page.text
    # Changing only the localities leaves the rest; the same again changes nothing.
    args = ["teams", "set", "bay-team", "--locality", "brixham", "--locality", "paignton"]
    assert "set localities." in runner.invoke(args=args).output
    assert "nothing to change" in runner.invoke(args=args).output
    team = session.scalar(select(CareTeam).where(CareTeam.slug == "bay-team"))
    session.refresh(team)
    assert sorted(row.slug for row in team.localities) == [home.slug, other.slug]
    assert team.phone == "01803 000 999"
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.event_type == "care_team_changed").order_by(AuditEvent.id)).all()
    assert [(e.target_id, e.details["fields"], e.details["created"]) for e in events] == [
        (str(team.id), ["name", "localities", "phone", "email"], True),
        (str(team.id), ["localities"], False)]
    listed = runner.invoke(args=["teams", "list"]).output
    assert "bay-team\tBay care team\tbrixham, paignton\t0 member(s)" in listed


def test_teams_set_refuses_an_unknown_locality_or_a_new_team_without_a_name(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["teams", "set", "x-team", "--locality", "nowhere"])
    assert result.exit_code == 1 and "give its --name" in result.output
    result = runner.invoke(args=["teams", "set", "x-team", "--name", "X",
                                 "--locality", "nowhere"])
    assert result.exit_code == 1 and "No locality with the slug nowhere." in result.output
    from portal.accounts.models import CareTeam

    assert session.scalar(select(CareTeam).where(CareTeam.slug == "x-team")) is None
