"""Demo data for development and demonstrations. Idempotent: running it twice changes nothing.

Each area adds its own demo data here. Everything is clearly fictional.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import services as accounts
from portal.accounts.models import CareTeam
from portal.authz import Role
from portal.directory.models import Organisation
from portal.places.models import Locality

DATA_DIR = Path(__file__).resolve().parent / "places" / "data"
DEMO_PASSWORD = "demo-password-2026"  # development only: printed by `flask demo`


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


DEMO_ORGANISATIONS = [
    ("torbay-friendship-circle", "Torbay Friendship Circle (demo)"),
    ("plymouth-carers-network", "Plymouth Carers Network (demo)"),
]

DEMO_TEAMS = [
    ("torquay-care-team", "Torquay Community Care Team (demo)", ["torquay"]),
    ("devonport-care-team", "Devonport Community Care Team (demo)", ["devonport"]),
]

DEMO_PEOPLE = [
    (Role.RESIDENT, "resident@demo.portal.test", "Rose Resident"),
    (Role.CARER, "carer@demo.portal.test", "Cara Carer"),
    (Role.EDITOR, "editor@demo.portal.test", "Eddie Editor"),
    (Role.MODERATOR, "moderator@demo.portal.test", "Mo Moderator"),
    (Role.CARE_WORKER, "careworker@demo.portal.test", "Cal Careworker"),
    (Role.AUTHOR, "author@demo.portal.test", "Ada Author"),
    (Role.APPROVER, "approver@demo.portal.test", "Dr Demo Approver"),
    (Role.ADMIN, "admin@demo.portal.test", "Alex Admin"),
]


def load_localities(session: Session) -> dict[str, Locality]:
    existing = {row.slug: row for row in session.scalars(select(Locality))}
    for item in json.loads((DATA_DIR / "localities.json").read_text(encoding="utf-8")):
        if item["slug"] not in existing:
            row = Locality(slug=item["slug"], name=item["name"], area=item["area"])
            session.add(row)
            existing[row.slug] = row
    session.flush()
    return existing


def _organisations(session: Session) -> dict[str, Organisation]:
    existing = {row.slug: row for row in session.scalars(select(Organisation))}
    for slug, name in DEMO_ORGANISATIONS:
        if slug not in existing:
            existing[slug] = Organisation(
                slug=slug, name=name, description="A fictional organisation for the demo."
            )
            session.add(existing[slug])
    session.flush()
    return existing


def _teams(session: Session, localities: dict[str, Locality]) -> dict[str, CareTeam]:
    existing = {row.slug: row for row in session.scalars(select(CareTeam))}
    for slug, name, locality_slugs in DEMO_TEAMS:
        if slug not in existing:
            existing[slug] = CareTeam(
                slug=slug, name=name, localities=[localities[s] for s in locality_slugs]
            )
            session.add(existing[slug])
    session.flush()
    return existing


def load(session: Session) -> list[DemoAccount]:
    localities = load_localities(session)
    organisations = _organisations(session)
    teams = _teams(session, localities)
    accounts_made = []
    for role, email, name in DEMO_PEOPLE:
        if accounts.find_by_email(session, email) is None:
            accounts.create_user(
                session,
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                roles=[role],
                organisations=[organisations["torbay-friendship-circle"]]
                if role is Role.EDITOR else [],
                teams=[teams["torquay-care-team"]] if role is Role.CARE_WORKER else [],
            )
        accounts_made.append(DemoAccount(role.value, email, DEMO_PASSWORD))
    return accounts_made
