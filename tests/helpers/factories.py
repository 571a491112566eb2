"""Small factories for test data. Passwords are hashed once per run (argon2 is slow)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User, UserRole
from portal.accounts.passwords import hash_password
from portal.authz import Role
from portal.directory.models import Organisation
from portal.places.models import Locality

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def make_user(
    session: Session,
    *roles: Role,
    email: str | None = None,
    name: str | None = None,
    organisations: Iterable[Organisation] = (),
    teams: Iterable[CareTeam] = (),
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.test",
        display_name=name or f"Person {n}",
        password_hash=password_hash(),
    )
    user.role_rows = [UserRole(role=role) for role in (roles or (Role.RESIDENT,))]
    user.organisations = list(organisations)
    user.teams = list(teams)
    session.add(user)
    session.flush()
    return user


def make_organisation(session: Session, name: str | None = None) -> Organisation:
    n = next(_counter)
    organisation = Organisation(slug=f"org-{n}", name=name or f"Organisation {n}")
    session.add(organisation)
    session.flush()
    return organisation


def make_locality(session: Session, slug: str | None = None) -> Locality:
    n = next(_counter)
    locality = Locality(slug=slug or f"locality-{n}", name=f"Locality {n}", area="Test area")
    session.add(locality)
    session.flush()
    return locality


def make_team(session: Session, localities: Iterable[Locality] = ()) -> CareTeam:
    n = next(_counter)
    team = CareTeam(slug=f"team-{n}", name=f"Care team {n}", localities=list(localities))
    session.add(team)
    session.flush()
    return team
