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
