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
from portal.db import utcnow
from portal.directory.models import Organisation, Service
from portal.places.models import Locality

# The deployment's care localities (slug = "id", with postcode sectors for search).
LOCALITIES_FILE = Path(__file__).resolve().parent / "directory" / "data" / "localities.json"
DEMO_PASSWORD = "demo-password-2026"  # nosec B105 - development demo only, printed by `flask demo`
# Staff must use a second factor: demo staff share this authenticator key (development only).
DEMO_TOTP_SECRET = "DEMOPORTALTOTPKEYSECRETFORDEMOS2"  # nosec B105 - development demo only


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


# A generated demo organisation with several services in Torquay: the demo editor's.
DEMO_EDITOR_ORGANISATION = "Torbay Friendship Circle (demo)"

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
    for item in json.loads(LOCALITIES_FILE.read_text(encoding="utf-8")):
        if item["id"] not in existing:
            row = Locality(slug=item["id"], name=item["name"], area=item["area"])
            session.add(row)
            existing[row.slug] = row
    session.flush()
    return existing


def _directory(session: Session) -> Organisation:
    """Taxonomies, demo postcodes and 300+ services through the ORUK importer; the editor's
    organisation."""
    from portal.directory.reference import load_demo_directory

    load_demo_directory(session)
    return session.scalars(select(Organisation).join(Service).where(
        Organisation.name == DEMO_EDITOR_ORGANISATION).limit(1)).one()


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
    editor_organisation = _directory(session)
    teams = _teams(session, localities)
    accounts_made = []
    for role, email, name in DEMO_PEOPLE:
        existing = accounts.find_by_email(session, email)
        if existing is not None and role is Role.EDITOR \
                and editor_organisation not in existing.organisations:
            existing.organisations.append(editor_organisation)
        if existing is None:
            user = accounts.create_user(
                session,
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                roles=[role],
                organisations=[editor_organisation] if role is Role.EDITOR else [],
                teams=[teams["torquay-care-team"]] if role is Role.CARE_WORKER else [],
            )
            user.email_verified_at = utcnow()
            if user.mfa_required:
                user.mfa_secret = DEMO_TOTP_SECRET
                user.mfa_enabled_at = utcnow()
        accounts_made.append(DemoAccount(role.value, email, DEMO_PASSWORD))
    session.flush()
    from portal.content.demo import load_demo as load_guidance
    from portal.moderation.demo import load_demo as load_moderation

    load_moderation(session)  # one change waiting for review, one open problem report
    load_guidance(session)  # the starter guidance library, approved
    from portal.messaging.demo import load_demo as load_messaging

    load_messaging(session)  # threads across both teams in several states
    return accounts_made
