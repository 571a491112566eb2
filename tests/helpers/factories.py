"""Small factories for test data. Passwords are hashed once per run (argon2 is slow)."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User, UserRole
from portal.accounts.passwords import hash_password
from portal.authz import Role
from portal.clock import utcnow
from portal.directory.models import Organisation, Service
from portal.moderation.models import ProblemReport, ServiceRevision
from portal.moderation.policies import today
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
    verified: bool = True,
) -> User:
    """An account whose address is confirmed, unless ``verified=False``."""
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.test",
        display_name=name or f"Person {n}",
        password_hash=password_hash(),
        email_verified_at=utcnow() if verified else None,
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


def make_service(session: Session, organisation: Organisation | None = None, *,
                 name: str | None = None, **fields: object) -> Service:
    """A published, running listing, checked today unless ``last_checked_on`` says otherwise."""
    n = next(_counter)
    service = Service(
        organisation=organisation or make_organisation(session),
        name=name or f"Service {n}",
        description=fields.pop("description", f"What service {n} does."),
        last_checked_on=fields.pop("last_checked_on", today()),
        **fields,
    )
    session.add(service)
    session.flush()
    return service


def make_revision(session: Session, service: Service | None = None, *,
                  author: User | None = None, **changes: object) -> ServiceRevision:
    """A revision waiting for review: the listing's snapshot with ``changes`` applied."""
    from portal.moderation.snapshot import snapshot

    service = service or make_service(session)
    revision = ServiceRevision(
        service_id=service.id, organisation_id=service.organisation_id,
        author_id=author.id if author else None, base_version=service.version,
        data={**snapshot(service), **changes},
    )
    session.add(revision)
    session.flush()
    return revision


def make_problem_report(session: Session, service: Service | None = None,
                        message: str = "The phone number does not work.") -> ProblemReport:
    report = ProblemReport(service_id=(service or make_service(session)).id, message=message)
    session.add(report)
    session.flush()
    return report


def service_form_data(data: dict[str, object], *, base_version: int | None = None,
                      replaces: int | None = None, note: str = "") -> dict[str, object]:
    """What the listing editor form posts for a snapshot (``portal.moderation.snapshot``)."""
    form: dict[str, object] = {
        "base_version": "" if base_version is None else str(base_version),
        "replaces": "" if replaces is None else str(replaces),
        "note": note,
        "is_free": "yes" if data.get("is_free", True) else "no",
    }
    for key in ("name", "description", "url", "email", "status", "eligibility_description",
                "fees_description", "minimum_age", "maximum_age"):
        value = data.get(key)
        form[key] = "" if value is None else str(value)
    for key in ("attendance", "terms", "localities", "languages"):
        form[key] = list(data.get(key) or [])  # type: ignore[call-overload]
    for i in range(3):  # a browser sends every row, empty or not
        form[f"phones-{i}-number"] = form[f"phones-{i}-description"] = ""
    for i in range(5):
        for key in ("opens_at", "closes_at", "description", "interval", "monthday", "starts",
                    "ends"):
            form[f"schedules-{i}-{key}"] = ""
        form[f"schedules-{i}-kind"] = "weekly"
    for i, phone in enumerate(data.get("phones") or []):  # type: ignore[arg-type]
        form[f"phones-{i}-number"] = phone["number"]
        form[f"phones-{i}-description"] = phone.get("description") or ""
    for i, row in enumerate(data.get("schedules") or []):  # type: ignore[arg-type]
        form[f"schedules-{i}-days"] = list(row.get("days") or [])
        form[f"schedules-{i}-opens_at"] = row.get("opens_at") or ""
        form[f"schedules-{i}-closes_at"] = row.get("closes_at") or ""
        form[f"schedules-{i}-description"] = row.get("description") or ""
        form[f"schedules-{i}-kind"] = row.get("kind") or "weekly"
        form[f"schedules-{i}-weeks"] = [str(week) for week in row.get("weeks") or []]
        if int(row.get("interval") or 1) > 1:
            form[f"schedules-{i}-interval"] = str(row["interval"])
        if row.get("monthday"):
            form[f"schedules-{i}-monthday"] = "last" if row["monthday"] == -1 else str(row["monthday"])
        for key in ("starts", "ends"):
            if row.get(key):
                form[f"schedules-{i}-{key}"] = row[key]
        if row.get("by_appointment"):
            form[f"schedules-{i}-by_appointment"] = "y"
    venue = data.get("venue") or {}
    for key in ("name", "address_1", "city", "postcode", "accessibility"):
        form[f"venue-{key}"] = venue.get(key) or ""  # type: ignore[union-attr]
    if venue.get("confidential"):  # type: ignore[union-attr]
        form["venue-confidential"] = "y"
    return form


def make_taxonomy(session: Session, name: str | None = None):  # type: ignore[no-untyped-def]
    from portal.directory.models import Taxonomy

    n = next(_counter)
    taxonomy = Taxonomy(name=name or f"Taxonomy {n}", description=f"Terms of taxonomy {n}.")
    session.add(taxonomy)
    session.flush()
    return taxonomy


def make_taxonomy_term(session: Session, taxonomy=None, *, parent=None,  # type: ignore[no-untyped-def]
                       name: str | None = None, code: str | None = None):
    from portal.directory.models import TaxonomyTerm

    n = next(_counter)
    term = TaxonomyTerm(name=name or f"Term {n}", code=code or f"term-{n}",
                        description=f"What term {n} means.",
                        taxonomy=taxonomy or make_taxonomy(session),
                        parent_id=parent.id if parent is not None else None)
    session.add(term)
    session.flush()
    return term


def make_location(session: Session, **fields: object):  # type: ignore[no-untyped-def]
    """A venue with an address and coordinates (Torquay town centre unless told otherwise)."""
    from portal.directory.models import Location

    n = next(_counter)
    values: dict[str, object] = {"name": f"Venue {n}", "address_1": f"{n} Fleet Street",
                                 "city": "Torquay", "postcode": "TQ1 1AA",
                                 "latitude": 50.46537, "longitude": -3.52804}
    location = Location(**{**values, **fields})
    session.add(location)
    session.flush()
    return location


def make_service_at_location(session: Session, service: Service | None = None,  # type: ignore[no-untyped-def]
                             location=None):
    """A published service at a venue (both made when not given)."""
    from portal.directory.models import ServiceAtLocation

    sal = ServiceAtLocation(service=service or make_service(session),
                            location=location or make_location(session))
    session.add(sal)
    session.flush()
    return sal


def make_postcode(session: Session, postcode: str, latitude: float, longitude: float):  # type: ignore[no-untyped-def]
    """A row of the postcode table (``geo import-onspd`` fills it in real life)."""
    from portal.places.models import Postcode

    row = Postcode(postcode=postcode, latitude=latitude, longitude=longitude)
    session.add(row)
    session.flush()
    return row


def make_listing(session: Session, *, name: str, description: str = "",  # type: ignore[no-untyped-def]
                 organisation: Organisation | None = None, terms: Iterable[object] = (),
                 localities: Iterable[Locality] = (), venues: Iterable[object] = (),
                 schedules: Iterable[dict[str, object]] = (), **fields: object) -> Service:
    """A published listing with its children. ``terms``: TaxonomyTerm rows or term codes;
    ``venues``: Location rows or dicts of Location fields; ``schedules``: dicts of Schedule
    fields, times as "HH:MM" strings."""
    from datetime import time as clock

    from sqlalchemy import select

    from portal.directory.models import Location, Schedule, ServiceAtLocation, TaxonomyTerm

    service = make_service(session, organisation, name=name,
                           description=description or f"About {name}.", **fields)
    for term in terms:
        if isinstance(term, str):
            term = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == term)).one()
        service.terms.append(term)  # type: ignore[arg-type]
    service.localities.extend(localities)
    for venue in venues:
        location = venue if isinstance(venue, Location) else make_location(session, **venue)  # type: ignore[arg-type]
        service.service_at_locations.append(ServiceAtLocation(location=location))
    for position, values in enumerate(schedules):
        row = dict(values)
        for key in ("opens_at", "closes_at"):
            if isinstance(row.get(key), str):
                row[key] = clock.fromisoformat(row[key])  # type: ignore[arg-type]
        service.schedules.append(Schedule(position=position, **row))  # type: ignore[arg-type]
    session.flush()
    return service


@contextmanager
def fresh_search_index(app, directory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Give the app an empty search index in ``directory`` for one test, then put back its own.

    The session-wide index would otherwise keep documents of rows that earlier tests rolled
    back. The first search builds the index from the database."""
    from portal.search import SearchIndex

    previous = app.extensions["portal.search"]
    index = SearchIndex(directory)
    app.extensions["portal.search"] = index
    try:
        yield index
    finally:
        index.reset()
        app.extensions["portal.search"] = previous


@contextmanager
def fresh_search_engine(app, name: str, directory, session) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh engine for one test: ``fresh_search_index`` for Whoosh (yields the index); for
    PostgreSQL, the app's engine replaced by the PostgreSQL one (yielded), with the test's own
    ``session`` kept in step like the app's: listings it writes are searchable in the same
    transaction. The app's own engine is put back afterwards."""
    from portal.search import backend, outbox
    from portal.search.postgres import PostgresBackend

    if name == "whoosh":
        with fresh_search_index(app, directory) as index:
            yield index
        return
    previous = app.extensions[backend.EXTENSION]
    engine = PostgresBackend()
    app.extensions[backend.EXTENSION] = engine
    outbox.watch(app, session)
    try:
        yield engine
    finally:
        app.extensions[backend.EXTENSION] = previous


# Guidance (portal.content) ----------------------------------------------------------------

# The first bytes of an MP4 file (an ``ftyp`` box): a "video" as far as checks go, not playable.
TINY_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 8
VALID_VTT = "WEBVTT\n\n1\n00:00:00.500 --> 00:00:02.000\nFeeling short of breath.\n"


def content_fields(**overrides: object) -> dict[str, object]:
    """A version's content, plain text, as a form or the library files would give it."""
    n = next(_counter)
    fields: dict[str, object] = {
        "title": f"Guidance {n}", "summary": f"What guidance {n} is about.",
        "body": f"## About this\n\nGuidance {n} helps you feel less short of breath.\n",
        "topics": ["long-term-conditions"], "conditions": ["copd"],
        "audience": ["residents"], "languages": ["en"], "reading_age": 10,
        "sources": ["Written for this portal by its content team in plain English."],
        "transcript": f"# Guidance {n}\n\nA short film.", "easy_read": None,
    }
    fields.update(overrides)
    return fields


def make_content_version(session: Session, item=None, *, status=None,  # type: ignore[no-untyped-def]
                         author: User | None = None, editor: User | None = None,
                         approver: User | None = None, approved_on=None, review_due=None,
                         video: bytes | None = TINY_MP4, captions: str | None = VALID_VTT,
                         **fields: object):
    """A version of ``item`` (a new item if none): approved and in date unless told otherwise;
    an approved one gets its approval record too."""
    from datetime import timedelta

    from portal.content import media, policies
    from portal.content.models import ContentApproval, ContentItem, ContentVersion, VersionStatus
    from portal.content.queries import latest_number
    from portal.content.services import content_hash

    status = VersionStatus(status) if status else VersionStatus.APPROVED
    if item is None:
        item = ContentItem(slug=f"guidance-{next(_counter)}")
        session.add(item)
        session.flush()
    values = content_fields(**fields)
    values["video_sha256"] = media.store(session, video, "video/mp4").sha256 if video else None
    values["captions_sha256"] = (media.store(session, captions.encode(), media.VTT_TYPE).sha256
                                 if captions is not None else None)
    version = ContentVersion(item=item, number=latest_number(session, item.id) + 1, status=status,
                             author_id=author.id if author else None,
                             author_name=author.display_name if author else "Content Author",
                             edited_by_id=(editor or author).id if (editor or author) else None,
                             content_hash=content_hash(values), **values)
    if status in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED, VersionStatus.WITHDRAWN):
        version.approved_on = approved_on or policies.today() - timedelta(days=30)
        version.review_due = review_due or policies.today() + timedelta(days=300)
        version.approvals.append(ContentApproval(
            approver_id=approver.id if approver else None,
            approver_name=approver.display_name if approver else "Dr Clinical Approver",
            approved_on=version.approved_on, review_due=version.review_due,
            content_hash=version.content_hash))
    if status is VersionStatus.WITHDRAWN:
        from portal.content.models import WithdrawalReason
        from portal.db import utcnow

        version.withdrawn_at, version.withdrawal_reason = utcnow(), WithdrawalReason.APPROVER
    if status is VersionStatus.SUBMITTED:
        from portal.db import utcnow

        version.submitted_at = utcnow()
    session.add(version)
    session.flush()
    return version


def make_content_item(session: Session, *, live: bool = True, draft: bool = False,  # type: ignore[no-untyped-def]
                      author: User | None = None, **fields: object):
    """An item with a live approved version and, with ``draft``, a submitted draft by
    ``author`` (someone else when not given)."""
    from portal.content.models import ContentItem, VersionStatus

    item = ContentItem(slug=f"guidance-{next(_counter)}")
    session.add(item)
    session.flush()
    if live:
        make_content_version(session, item, **fields)
    if draft:
        make_content_version(session, item, status=VersionStatus.SUBMITTED,
                             author=author or make_user(session, Role.AUTHOR, name="Another author"),
                             **fields)
    return item


@contextmanager
def fresh_content_index(app, directory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Give the app an empty guidance index in ``directory`` for one test (the first search
    builds it from the database), then put back its own."""
    from portal.content.search import ContentIndex

    previous = app.extensions.get("portal.content.index")
    index = ContentIndex(directory)
    app.extensions["portal.content.index"] = index
    try:
        yield index
    finally:
        if previous is None:
            app.extensions.pop("portal.content.index", None)
        else:
            app.extensions["portal.content.index"] = previous


# Care circles (portal.circles) --------------------------------------------------------------

def make_consent(session: Session, person: User, *purposes: object, by: User | None = None):  # type: ignore[no-untyped-def]
    """Live consents of ``person`` to share each purpose with the team serving them."""
    from portal.circles.models import Purpose, TeamConsent

    rows = [TeamConsent(person_id=person.id, purpose=Purpose(p),
                        wording=f"I agree to share my {Purpose(p).value} with my care team.",
                        given_by_id=(by or person).id) for p in (purposes or tuple(Purpose))]
    session.add_all(rows)
    session.flush()
    return rows


def make_grant(session: Session, person: User, carer: User, *scopes: object,  # type: ignore[no-untyped-def]
               relationship: str = "daughter", ends_on=None, revoked: bool = False):
    """A carer's grant to act for ``person`` with ``scopes`` (Scope values), live unless told."""
    from portal.circles.models import CarerGrant, Scope
    from portal.clock import utcnow

    grant = CarerGrant(person_id=person.id, carer_id=carer.id, relationship=relationship,
                       scopes=[Scope(s).value for s in scopes], ends_on=ends_on,
                       created_by_id=person.id)
    if revoked:
        grant.revoked_at, grant.revoked_by_id = utcnow(), person.id
    session.add(grant)
    session.flush()
    return grant


def serve(session: Session, person: User, locality: Locality) -> User:
    """Put ``person``'s home in ``locality`` (as their postcode would)."""
    person.locality_id = locality.id
    person.locality_source = "postcode"
    session.flush()
    return person


def make_outbox_job(session: Session, *, parked: bool = True, kind: str = "email"):  # type: ignore[no-untyped-def]
    """An outbox job (parked after failing, unless told otherwise), added directly."""
    from portal.outbox.models import JobStatus, OutboxJob

    job = OutboxJob(key=f"test:{next(_counter)}", kind=kind,
                    payload={"to": "someone@example.test", "subject": "A notice",
                             "template": "password_changed", "locale": "en", "context": {}},
                    status=JobStatus.PARKED if parked else JobStatus.PENDING, attempts=8,
                    last_error="ConnectionRefusedError: [Errno 111] Connection refused")
    session.add(job)
    session.flush()
    return job


# Carers
def make_carer_referral(session: Session, *, team: CareTeam | None = None, urgent: bool = False
                        ) -> object:
    """A sent referral in ``team``'s queue (a new team of its own locality unless given).
    Writing its answers needs an application context (they are encrypted)."""
    from portal.carers.models import CarerReferral
    from portal.carers.progress import counted

    n = next(_counter)
    team = team or make_team(session, [make_locality(session)])
    referral = CarerReferral(reference=f"CR-2000-{n:06d}", year=2000, sequence=n,
                             answers={"about_you": {"full_name": f"Carer {n}"}}, urgent=urgent,
                             team_id=team.id, locality_id=team.localities[0].id
                             if team.localities else None)
    session.add(referral)
    session.flush()
    counted(session, referral)  # as carers.services.submit does, for the figures
    return referral


STARTER_LIBRARY = Path(__file__).resolve().parents[2] / "content"


@contextmanager
def copied_library(app, tmp_path: Path) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A copy of the starter guidance library under ``tmp_path`` for one test to change, with
    an empty guidance index of its own (see ``fresh_content_index``)."""
    root = tmp_path / "content"
    shutil.copytree(STARTER_LIBRARY, root)
    with fresh_content_index(app, tmp_path / "content-index"):
        yield root


def sync_library(app, root: Path):  # type: ignore[no-untyped-def]
    """``flask content sync --from root``, as an operator runs it."""
    return app.test_cli_runner().invoke(args=["content", "sync", "--from", str(root)])
