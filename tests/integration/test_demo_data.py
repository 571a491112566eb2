"""`flask demo` loads the data files of the demo folder (demo/README.md): the repository's own,
or another named by --data or PORTAL_DEMO_DIR."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from portal import demo
from portal.accounts.models import CareTeam, User
from portal.directory.models import Service
from portal.moderation.models import ProblemReport, ReportStatus, RevisionStatus, ServiceRevision
from portal.moderation.snapshot import snapshot


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def test_demo_moderation_work_waits_on_a_listing_of_the_editors_organisation(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    [revision] = session.scalars(select(ServiceRevision)).all()
    [report] = session.scalars(select(ProblemReport)).all()
    with app.app_context():  # accounts have encrypted columns
        editor = session.scalar(select(User).where(User.email == "editor@demo.portal.test"))
        assert revision.author_id == editor.id
        assert revision.organisation_id in {o.id for o in editor.organisations}
    service = session.get(Service, revision.service_id)
    assert (service.name, revision.status) == ("Call and Care", RevisionStatus.PENDING)
    assert revision.base_version == service.version
    # The change replaces the opening times and keeps the rest of the listing as it is.
    assert revision.data == {**snapshot(service), "schedules": [
        {"days": ["MO", "TU", "WE", "TH", "FR"], "opens_at": "10:00", "closes_at": "15:00",
         "by_appointment": False, "description": "Winter hours (demo)"}]}
    assert (report.service_id, report.status) == (service.id, ReportStatus.OPEN)


def _folder(tmp_path, people: str, moderation: str = ""):  # type: ignore[no-untyped-def]
    folder = tmp_path / "my-demo"
    (folder / "directory").mkdir(parents=True)
    (folder / "guidance").mkdir()
    saturday = next(s for s in demo.read_services() if s["name"] == "Torquay Saturday Social")
    (folder / "directory" / "one.json").write_text(json.dumps([saturday]), encoding="utf-8")
    (folder / "people.yaml").write_text(people, encoding="utf-8")
    (folder / "moderation.yaml").write_text(moderation, encoding="utf-8")
    (folder / "content.yaml").write_text("library: guidance\n", encoding="utf-8")
    return folder


PEOPLE = """
defaults: {password: another demo password, totp_secret: JBSWY3DPEHPK3PXP}
teams:
  - {slug: bay-team, name: Bay Team (demo), localities: [torquay, paignton-brixham]}
people:
  - email: ed@example.test
    name: Ed Itor
    roles: [editor]
    organisations: [Torbay Friendship Circle (demo)]
  - {email: cw@example.test, name: Cee Worker, roles: [care_worker], teams: [bay-team],
     password: her own password}
"""


def test_demo_rose_shares_everything_with_her_team_and_her_daughter_what_she_was_given(
        app, session):
    """The newcomer's journey: Rose's team may read her plan and message her, Cara may read
    her plan and message for her but not change the plan."""
    from portal.circles.policy import Access, decide

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0  # twice: still one consent each
    with app.app_context():
        people = {u.email.split("@")[0]: u for u in session.scalars(select(User))}
        rose, cal, cara = people["resident"], people["careworker"], people["carer"]
        for access in (Access.PLAN_READ, Access.PLAN_NOTE, Access.MESSAGES,
                       Access.DETAILS_READ):
            assert decide(session, actor=cal, person=rose, access=access).allowed, access
        for access, allowed in ((Access.PLAN_READ, True), (Access.MESSAGES, True),
                                (Access.PLAN_WRITE, False), (Access.DETAILS_READ, False)):
            assert decide(session, actor=cara, person=rose, access=access).allowed is allowed
    from portal.circles.models import TeamConsent

    purposes = [c.purpose for c in session.scalars(select(TeamConsent).where(
        TeamConsent.person_id == rose.id, TeamConsent.withdrawn_at.is_(None)))]
    assert sorted(purposes) == sorted(set(purposes)) and len(purposes) == 3


def test_demo_loads_another_folder_named_by_option_or_environment(app, session, tmp_path):
    folder = _folder(tmp_path, PEOPLE)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--data", str(folder)])
    assert first.exit_code == 0, first.output
    assert "ed@example.test" in first.output and "another demo password" in first.output
    assert "her own password" in first.output and "JBSWY3DPEHPK3PXP" in first.output
    second = runner.invoke(args=["demo"], env={"PORTAL_DEMO_DIR": str(folder)})
    assert second.exit_code == 0 and second.output == first.output
    assert session.scalars(select(Service.name)).all() == ["Torquay Saturday Social"]
    assert (_count(session, User), _count(session, ServiceRevision)) == (2, 0)
    [team] = session.scalars(select(CareTeam)).all()
    assert sorted(locality.slug for locality in team.localities) == ["paignton-brixham", "torquay"]
    with app.app_context():  # accounts have encrypted columns
        editor, worker = session.scalars(select(User).order_by(User.email.desc())).all()
        assert [o.name for o in editor.organisations] == ["Torbay Friendship Circle (demo)"]
        assert worker.teams == [team] and worker.mfa_secret == "JBSWY3DPEHPK3PXP"


def test_demo_refuses_a_mistake_with_its_place_and_loads_nothing(app, session, tmp_path):
    runner = app.test_cli_runner()
    typo = _folder(tmp_path, PEOPLE.replace("roles: [editor]", "rols: [editor]"))
    result = runner.invoke(args=["demo", "--data", str(typo)])
    assert result.exit_code == 1
    assert "people.yaml: people[0]: missing roles." in result.output
    assert "Traceback" not in result.output
    # A listing that is not there: found after the directory loaded, and all of it undone.
    wrong = _folder(tmp_path / "b", PEOPLE, moderation="""
problem_reports:
  - service: {id: 4d2ecb65-9df0-4dde-8337-dda661963ad7, name: Call and Care}
    message: It rang out.
""")
    result = runner.invoke(args=["demo", "--data", str(wrong)])
    assert result.exit_code == 1
    assert "no service 'Call and Care' with id 4d2ecb65-9df0-4dde-8337-dda661963ad7" in result.output
    assert (_count(session, Service), _count(session, User), _count(session, ProblemReport)) == (
        0, 0, 0)
