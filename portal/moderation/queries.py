"""Read-only questions about listings, revisions and reports. Lists go through the policies'
organisation filter, so nobody is shown what they could not open."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User, UserRole, organisation_membership
from portal.authz.permissions import Role
from portal.directory.models import Organisation, Service, TaxonomyTerm
from portal.moderation.models import ProblemReport, ReportStatus, RevisionStatus, ServiceRevision
from portal.places.models import Locality

RECENT_REVISIONS = 30


def editors_of(session: Session, organisation_id: str) -> list[User]:
    """Active editors who are members of the organisation."""
    return list(session.scalars(
        select(User)
        .join(organisation_membership, organisation_membership.c.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(organisation_membership.c.organisation_id == organisation_id,
               UserRole.role == Role.EDITOR, User.is_active.is_(True))
        .order_by(User.id)
    ).unique())


def moderators(session: Session) -> list[User]:
    return list(session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.MODERATOR, User.is_active.is_(True)).order_by(User.id)
    ).unique())


def organisations(session: Session, ids: Collection[str]) -> list[Organisation]:
    if not ids:
        return []
    return list(session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))


def services_of(session: Session, organisation_ids: Collection[str]) -> list[Service]:
    if not organisation_ids:
        return []
    return list(session.scalars(
        select(Service).where(Service.organisation_id.in_(organisation_ids))
        .order_by(Service.name, Service.id)))


def services_by_id(session: Session, ids: Iterable[str | None]) -> dict[str, Service]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {s.id: s for s in session.scalars(select(Service).where(Service.id.in_(wanted)))}


def pending_for(session: Session, service_id: str) -> list[ServiceRevision]:
    """Waiting revisions of one listing, oldest first."""
    return list(session.scalars(
        select(ServiceRevision)
        .where(ServiceRevision.service_id == service_id,
               ServiceRevision.status == RevisionStatus.PENDING)
        .order_by(ServiceRevision.id)))


def pending_of(session: Session, organisation_ids: Collection[str]) -> list[ServiceRevision]:
    """Waiting revisions of these organisations' listings (new ones included), oldest first."""
    if not organisation_ids:
        return []
    return list(session.scalars(
        select(ServiceRevision)
        .where(ServiceRevision.organisation_id.in_(organisation_ids),
               ServiceRevision.status == RevisionStatus.PENDING)
        .order_by(ServiceRevision.id)))


def own_pending(session: Session, service_id: str, author_id: int) -> ServiceRevision | None:
    return next((r for r in pending_for(session, service_id) if r.author_id == author_id), None)


def recent_revisions(session: Session, organisation_ids: Collection[str]) -> list[ServiceRevision]:
    """The organisations' latest revisions, newest first: waiting, published and sent back."""
    if not organisation_ids:
        return []
    return list(session.scalars(
        select(ServiceRevision).where(ServiceRevision.organisation_id.in_(organisation_ids))
        .order_by(ServiceRevision.id.desc()).limit(RECENT_REVISIONS)))


def moderation_queue(session: Session) -> list[ServiceRevision]:
    """Every waiting revision, oldest first."""
    return list(session.scalars(
        select(ServiceRevision).where(ServiceRevision.status == RevisionStatus.PENDING)
        .order_by(ServiceRevision.created_at, ServiceRevision.id)))


def history(session: Session, service_id: str) -> list[ServiceRevision]:
    """Published versions of a listing, newest first."""
    return list(session.scalars(
        select(ServiceRevision)
        .where(ServiceRevision.service_id == service_id,
               ServiceRevision.status == RevisionStatus.PUBLISHED)
        .order_by(ServiceRevision.decided_at.desc(), ServiceRevision.id.desc())))


def published_before(session: Session, revision: ServiceRevision) -> ServiceRevision | None:
    """The published version that came before this one, if any."""
    if revision.service_id is None or revision.status is not RevisionStatus.PUBLISHED:
        return None
    versions = history(session, revision.service_id)
    ids = [r.id for r in versions]
    position = ids.index(revision.id) if revision.id in ids else -1
    return versions[position + 1] if 0 <= position < len(versions) - 1 else None


def users_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def open_reports_for(session: Session, service_id: str) -> list[ProblemReport]:
    """One listing's open problem reports, oldest first."""
    return list(session.scalars(
        select(ProblemReport).where(ProblemReport.service_id == service_id,
                                    ProblemReport.status == ReportStatus.OPEN)
        .order_by(ProblemReport.created_at, ProblemReport.id)))


def open_reports(session: Session, organisation_ids: Collection[str] | None = None
                 ) -> list[tuple[ProblemReport, Service]]:
    """Open problem reports, oldest first; all of them when ``organisation_ids`` is None."""
    query = (select(ProblemReport, Service).join(Service, Service.id == ProblemReport.service_id)
             .where(ProblemReport.status == ReportStatus.OPEN)
             .order_by(ProblemReport.created_at, ProblemReport.id))
    if organisation_ids is not None:
        if not organisation_ids:
            return []
        query = query.where(Service.organisation_id.in_(organisation_ids))
    return [(report, service) for report, service in session.execute(query)]


# Choices and names for forms and comparisons ----------------------------------------------

@dataclass(frozen=True)
class Names:
    """Readable names for the ids a snapshot holds."""

    terms: dict[str, str]
    localities: dict[str, str]


def names(session: Session) -> Names:
    return Names(
        terms=dict(session.execute(select(TaxonomyTerm.id, TaxonomyTerm.name)).all()),
        localities=dict(session.execute(select(Locality.slug, Locality.name)).all()),
    )


def term_groups(session: Session) -> list[tuple[TaxonomyTerm, list[TaxonomyTerm]]]:
    """Top-level terms, each with its narrower terms, in name order."""
    terms = list(session.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.name)))
    children: dict[str, list[TaxonomyTerm]] = {}
    for term in terms:
        if term.parent_id:
            children.setdefault(term.parent_id, []).append(term)
    return [(term, children.get(term.id, [])) for term in terms if not term.parent_id]


def localities(session: Session) -> list[Locality]:
    return list(session.scalars(select(Locality).order_by(Locality.area, Locality.name)))
