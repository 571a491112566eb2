"""Demo data for development and demonstrations, read from data files. Idempotent: loading it
twice changes nothing.

The data lives in the repository's ``demo/`` folder (``DEFAULT_DIR``; ``flask demo --data DIR``
or ``PORTAL_DEMO_DIR`` names another folder) and its format is described in demo/README.md:

* ``directory/*.json``: ORUK 3.0 services, imported through the directory's importer (as
  ``flask directory import-oruk`` reads them), after the reference taxonomies and demo postcodes;
* ``people.yaml``: care teams and demo accounts with their roles, organisations and teams;
* ``moderation.yaml``: changes waiting for review and problem reports;
* ``content.yaml``: the guidance library to sync, and the accounts that stand for its people.

This module only reads and applies files; ``tools/demo_generator.py`` regenerates the directory.
Unknown keys are refused, so a typo is an error and a new kind of data (a person's postcode,
consent, carer links, plans, message threads) comes with the code that loads it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import services as accounts
from portal.accounts.models import CareTeam, User
from portal.authz import Role
from portal.db import utcnow
from portal.directory.models import Organisation, Service
from portal.places.models import Locality
from portal.unit_of_work import service

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "demo"
# The deployment's care localities (slug = "id", with postcode sectors for search).
LOCALITIES_FILE = Path(__file__).resolve().parent / "directory" / "data" / "localities.json"


class DemoDataError(ValueError):
    """A demo data file is missing, malformed or names something that does not exist."""


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    localities: tuple[str, ...]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    roles: tuple[Role, ...]
    password: str
    totp_secret: str
    organisations: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoPeople:
    password: str
    totp_secret: str
    teams: tuple[DemoTeam, ...]
    people: tuple[DemoPerson, ...]


# --------------------------------------------------------------------------------------------
# Reading files


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DemoDataError(f"{path}: no such demo data file.") from exc
    except yaml.YAMLError as exc:
        raise DemoDataError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DemoDataError(f"{path}: expected a mapping at the top.")
    return data


def _fields(item: Any, where: str, required: set[str], optional: Collection[str] = ()
            ) -> dict[str, Any]:
    """``item`` as a mapping with all ``required`` keys and no keys beyond ``optional``."""
    if not isinstance(item, dict):
        raise DemoDataError(f"{where}: expected a mapping, found {type(item).__name__}.")
    if missing := required - item.keys():
        raise DemoDataError(f"{where}: missing {', '.join(sorted(missing))}.")
    if unknown := item.keys() - required - set(optional):
        raise DemoDataError(f"{where}: unknown {', '.join(sorted(map(str, unknown)))}.")
    return item


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DemoDataError(f"{where}: expected a list of strings.")
    return tuple(value)


def read_people(root: Path | None = None) -> DemoPeople:
    """Parse ``people.yaml`` (checks its shape; names in it are checked when loading)."""
    path = (root or DEFAULT_DIR) / "people.yaml"
    data = _fields(_read_yaml(path), str(path), {"defaults", "people"}, {"teams"})
    defaults = _fields(data["defaults"], f"{path}: defaults", {"password", "totp_secret"})
    teams = []
    for i, raw in enumerate(data.get("teams") or []):
        team = _fields(raw, f"{path}: teams[{i}]", {"slug", "name", "localities"})
        teams.append(DemoTeam(slug=str(team["slug"]), name=str(team["name"]), localities=_strings(
            team["localities"], f"{path}: teams[{i}].localities")))
    people = []
    for i, raw in enumerate(data["people"] or []):
        where = f"{path}: people[{i}]"
        item = _fields(raw, where, {"email", "name", "roles"},
                       {"password", "totp_secret", "organisations", "teams"})
        try:
            roles = tuple(Role(r) for r in _strings(item["roles"], f"{where}.roles"))
        except ValueError as exc:
            raise DemoDataError(f"{where}.roles: {exc}") from exc
        people.append(DemoPerson(
            email=str(item["email"]), name=str(item["name"]), roles=roles,
            password=str(item.get("password", defaults["password"])),
            totp_secret=str(item.get("totp_secret", defaults["totp_secret"])),
            organisations=_strings(item.get("organisations", []), f"{where}.organisations"),
            teams=_strings(item.get("teams", []), f"{where}.teams")))
    return DemoPeople(password=str(defaults["password"]),
                      totp_secret=str(defaults["totp_secret"]), teams=tuple(teams),
                      people=tuple(people))


# --------------------------------------------------------------------------------------------
# Loading


def load_localities(session: Session) -> dict[str, Locality]:
    existing = {row.slug: row for row in session.scalars(select(Locality))}
    for item in json.loads(LOCALITIES_FILE.read_text(encoding="utf-8")):
        if item["id"] not in existing:
            row = Locality(slug=item["id"], name=item["name"], area=item["area"])
            session.add(row)
            existing[row.slug] = row
    session.flush()
    return existing


def read_services(root: Path | None = None) -> list[Any]:
    """The ORUK service documents of ``directory/*.json``, files in name order."""
    from portal.directory.importer import read_file

    folder = (root or DEFAULT_DIR) / "directory"
    files = sorted(folder.glob("*.json"))
    if not files:
        raise DemoDataError(f"{folder}: no *.json service files.")
    try:
        return [document for path in files for document in read_file(path)]
    except (ValueError, UnicodeDecodeError) as exc:
        raise DemoDataError(f"{folder}: not Open Referral UK JSON: {exc}") from exc


def load_directory(session: Session, root: Path | None = None) -> dict[str, int]:
    """Taxonomies, demo postcodes and the services in ``directory/*.json`` (through the
    importer). Localities must be loaded first."""
    from portal.directory.importer import import_services
    from portal.directory.reference import DATA_DIR, load_reference_taxonomies
    from portal.places.onspd import import_onspd

    documents = read_services(root)
    load_reference_taxonomies(session)
    with (DATA_DIR / "postcodes_demo.csv").open(encoding="utf-8", newline="") as fh:
        import_onspd(session, fh)
    summary = import_services(session, documents)
    if summary.problems:
        raise DemoDataError("The demo directory did not import cleanly: "
                            + "; ".join(str(p) for p in summary.problems[:3]))
    return {"imported": summary.imported, "updated": summary.updated,
            "unchanged": summary.unchanged}


def _organisation(session: Session, name: str, where: str) -> Organisation:
    rows = session.scalars(select(Organisation).where(Organisation.name == name)).all()
    if len(rows) != 1:
        raise DemoDataError(f"{where}: {len(rows)} organisations are called {name!r}, not one.")
    return rows[0]


def _teams(session: Session, people: DemoPeople, localities: dict[str, Locality]
           ) -> dict[str, CareTeam]:
    existing = {row.slug: row for row in session.scalars(select(CareTeam))}
    for team in people.teams:
        if team.slug in existing:
            continue
        if unknown := [s for s in team.localities if s not in localities]:
            raise DemoDataError(f"people.yaml: team {team.slug}: no locality {unknown[0]!r}.")
        existing[team.slug] = CareTeam(slug=team.slug, name=team.name,
                                       localities=[localities[s] for s in team.localities])
        session.add(existing[team.slug])
    session.flush()
    return existing


def load_people(session: Session, people: DemoPeople, localities: dict[str, Locality]
                ) -> list[DemoAccount]:
    """Teams, then an account per person. An existing account is kept as it is, except that
    organisations and teams the file gives it are added."""
    teams = _teams(session, people, localities)
    made = []
    for person in people.people:
        where = f"people.yaml: {person.email}"
        organisations = [_organisation(session, name, where) for name in person.organisations]
        if unknown := [s for s in person.teams if s not in teams]:
            raise DemoDataError(f"{where}: no team {unknown[0]!r}.")
        person_teams = [teams[s] for s in person.teams]
        user = accounts.find_by_email(session, person.email)
        if user is None:
            user = accounts.create_user(
                session, email=person.email, password=person.password,
                display_name=person.name, roles=list(person.roles),
                organisations=organisations, teams=person_teams)
            user.email_verified_at = utcnow()
            if user.mfa_required:
                user.mfa_secret = person.totp_secret
                user.mfa_enabled_at = utcnow()
        else:
            user.organisations.extend(o for o in organisations if o not in user.organisations)
            user.teams.extend(t for t in person_teams if t not in user.teams)
        made.append(DemoAccount(", ".join(r.value for r in person.roles), person.email,
                                person.password))
    session.flush()
    return made


def _service(session: Session, ref: Any, where: str) -> Service:
    ref = _fields(ref, f"{where}.service", {"id", "name"})
    service = session.get(Service, str(ref["id"]))
    if service is None or service.name != ref["name"]:
        raise DemoDataError(f"{where}: no service {ref['name']!r} with id {ref['id']}.")
    return service


def load_moderation(session: Session, root: Path | None = None) -> None:
    """Changes waiting for review and problem reports from ``moderation.yaml``; each is added
    once (a change is known by its service and note, a report by its service and message)."""
    from portal.moderation.models import ProblemReport, RevisionStatus, ServiceRevision
    from portal.moderation.snapshot import snapshot

    path = (root or DEFAULT_DIR) / "moderation.yaml"
    data = _fields(_read_yaml(path), str(path), set(), {"revisions", "problem_reports"})
    for i, raw in enumerate(data.get("revisions") or []):
        where = f"{path}: revisions[{i}]"
        item = _fields(raw, where, {"service", "author", "note", "changes"})
        service = _service(session, item["service"], where)
        author = session.scalar(select(User).where(User.email == item["author"]))
        if author is None:
            raise DemoDataError(f"{where}: no account {item['author']!r}.")
        if session.scalar(select(ServiceRevision.id).where(
                ServiceRevision.service_id == service.id,
                ServiceRevision.note == item["note"])) is not None:
            continue
        data_now = snapshot(service)
        changes = _fields(item["changes"], f"{where}.changes", set(), set(data_now))
        session.add(ServiceRevision(
            service_id=service.id, organisation_id=service.organisation_id, author_id=author.id,
            base_version=service.version, data={**data_now, **changes}, note=item["note"],
            status=RevisionStatus.PENDING))
    for i, raw in enumerate(data.get("problem_reports") or []):
        where = f"{path}: problem_reports[{i}]"
        item = _fields(raw, where, {"service", "message"})
        service = _service(session, item["service"], where)
        if session.scalar(select(ProblemReport.id).where(
                ProblemReport.service_id == service.id,
                ProblemReport.message == item["message"])) is None:
            session.add(ProblemReport(service_id=service.id, message=item["message"]))
    session.flush()


def load_guidance(session: Session, root: Path | None = None) -> list[str]:
    """Sync the guidance library ``content.yaml`` names (approved); the demo accounts it lists
    stand for the people named in the library's files (those that exist)."""
    from portal.content import sync

    path = (root or DEFAULT_DIR) / "content.yaml"
    data = _fields(_read_yaml(path), str(path), {"library"}, {"people"})
    people = {str(name): user for name, email in (data.get("people") or {}).items()
              if (user := accounts.find_by_email(session, str(email))) is not None}
    report = sync.sync(session, (path.parent / str(data["library"])).resolve(), people=people)
    if not report.ok:
        raise DemoDataError("; ".join(str(p) for p in report.problems))
    return report.created + report.updated


@service(audited=False, because="loads demonstration data in development, all or nothing; "
                               "the accounts and changes it makes are audited by the services "
                               "it calls, which join its transaction")
def load(session: Session, /, *, root: Path | None = None) -> list[DemoAccount]:
    """Everything in the demo folder, in the order the parts depend on each other."""
    people = read_people(root)
    localities = load_localities(session)
    load_directory(session, root)
    accounts_made = load_people(session, people, localities)
    load_moderation(session, root)  # one change waiting for review, one open problem report
    load_guidance(session, root)  # the starter guidance library, approved
    from portal.plans.demo import load_demo as load_plans

    load_plans(session)  # Rose Resident's plan
    from portal.messaging.demo import load_demo as load_messaging

    load_messaging(session)  # threads across both teams in several states
    from portal.circles.demo import load_demo as load_circles

    accounts_made += load_circles(session)  # localities, consents, a carer; a second resident
    from portal.carers.demo import load_demo as load_carers

    load_carers(session)  # carer's assessment requests in every status, one overdue
    from portal.figures.demo import load_demo as load_figures

    load_figures(session)  # a year of carer referrals, searches that found nothing, feedback
    return accounts_made
