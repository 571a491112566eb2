"""Reading and changing a person's plan. Every function asks the access policy
(``portal.circles.policy.decide``) afresh, so a revoked or expired carer is refused on the very
next request, including a save from a page opened before the revocation.

Reads by anyone but the person leave a RECORD_VIEWED entry (target ``plan``, the policy's
reason) and move the viewer's "last looked" mark; changes leave a RECORD_CHANGED entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.audit.events import AccessReason, EventType, RecordType
from portal.audit.services import record
from portal.circles.models import CarerGrant, Scope
from portal.circles.policy import Access, Decision, decide
from portal.clock import as_utc, utcnow
from portal.plans import sections as catalogue
from portal.plans.models import (
    LinkKind,
    Plan,
    PlanDraft,
    PlanLink,
    PlanNote,
    PlanSection,
    PlanSeen,
    PlanVersion,
)
from portal.plans.sections import MAX_SECTION_CHARS, Section
from portal.privacy.registry import register_eraser, register_exporter
from portal.unit_of_work import service

MAX_NOTE_CHARS = 5_000


class NotAllowed(PermissionError):
    """The person acting may not do this to this plan (now)."""


class TooLong(ValueError):
    def __init__(self, length: int) -> None:
        super().__init__(f"section has {length} characters, more than {MAX_SECTION_CHARS}")
        self.length = length


class StaleVersion(Exception):
    """Someone saved the section since the person opened it."""

    def __init__(self, current: PlanSection) -> None:
        super().__init__(f"section is at version {current.number}")
        self.current = current


class VersionNotFound(LookupError):
    pass


class LinkTargetUnknown(LookupError):
    pass


def _roles(user: Any) -> list[str]:
    return sorted(role.value for role in user.roles)


def _allow(session: Session, by: Any, person: Any, access: Access) -> Decision:
    decision = decide(session, actor=by, person=person, access=access)
    if not decision:
        raise NotAllowed(access.value)
    return decision


def ever_had_grant(session: Session, *, carer: Any, person: Any) -> bool:
    """Whether ``carer`` was ever given access (so a refusal may say so, not pretend a 404)."""
    return session.scalar(select(CarerGrant.id).where(
        CarerGrant.carer_id == carer.id, CarerGrant.person_id == person.id).limit(1)) is not None


def plan_of(session: Session, person_id: int) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.person_id == person_id))


def _plan_for_change(session: Session, person: Any) -> Plan:
    plan = plan_of(session, person.id)
    if plan is None:
        plan = Plan(person_id=person.id)
        session.add(plan)
        session.flush()
    return plan


def current_sections(session: Session, plan: Plan | None) -> dict[str, PlanSection]:
    if plan is None:
        return {}
    rows = session.scalars(select(PlanSection).where(PlanSection.plan_id == plan.id)
                           .execution_options(populate_existing=True))
    return {row.section_key: row for row in rows}


def _audit_read(session: Session, decision: Decision, *, by: Any, person: Any,
                plan: Plan | None) -> None:
    if decision.reason is AccessReason.OWNER:
        return
    record(session, EventType.RECORD_VIEWED, actor_id=by.id, subject_id=person.id,
           target_type=RecordType.PLAN, target_id=plan.id if plan else None,
           reason=decision.reason, viewer_roles=_roles(by))


def _mark_seen(session: Session, plan: Plan | None, by: Any) -> datetime | None:
    """Move the viewer's "last looked" mark to now; returns the previous one."""
    if plan is None:
        return None
    seen = session.scalar(select(PlanSeen).where(PlanSeen.plan_id == plan.id,
                                                 PlanSeen.viewer_id == by.id))
    previous = seen.seen_at if seen else None
    if seen is None:
        session.add(PlanSeen(plan_id=plan.id, viewer_id=by.id, seen_at=utcnow()))
    else:
        seen.seen_at = utcnow()
    return previous


def _can_write_and_note(session: Session, decision: Decision, by: Any, person: Any
                        ) -> tuple[bool, bool]:
    """What else the reader may do, from the read decision where it already says (the same
    answers as ``decide``, without asking it twice more on every page)."""
    if decision.reason is AccessReason.OWNER:
        return True, False
    if decision.reason is AccessReason.CARE_TEAM:  # the plan consent covers notes, not words
        return False, True
    write = bool(decision.grant is not None and Scope.PLAN_EDIT in decision.grant.scope_set)
    return write, bool(decide(session, actor=by, person=person, access=Access.PLAN_NOTE))


@dataclass
class PlanView:
    person: Any
    plan: Plan | None
    decision: Decision
    sections: dict[str, PlanSection]
    changed: set[str] = field(default_factory=set)
    notes: list[PlanNote] = field(default_factory=list)
    links: list[PlanLink] = field(default_factory=list)
    can_write: bool = False
    can_note: bool = False

    @property
    def is_owner(self) -> bool:
        return self.decision.reason is AccessReason.OWNER


@service
def open_plan(session: Session, /, *, person: Any, by: Any, mark_seen: bool = True) -> PlanView:
    """The plan as ``by`` may see it; audited, and "changed since you last looked" worked out,
    when ``by`` is not the person."""
    decision = _allow(session, by, person, Access.PLAN_READ)
    plan = plan_of(session, person.id)
    rows = current_sections(session, plan)
    view = PlanView(person=person, plan=plan, decision=decision, sections=rows)
    view.can_write, view.can_note = _can_write_and_note(session, decision, by, person)
    if plan is not None:
        view.notes = list(session.scalars(select(PlanNote).where(PlanNote.plan_id == plan.id)
                                          .order_by(PlanNote.created_at, PlanNote.id)))
        view.links = list(session.scalars(select(PlanLink).where(
            PlanLink.plan_id == plan.id, PlanLink.removed_at.is_(None)).order_by(PlanLink.id)))
    if not view.is_owner and mark_seen:
        previous = _mark_seen(session, plan, by)
        view.changed = {key for key, row in rows.items() if row.updated_by_id != by.id and (
            previous is None or as_utc(row.updated_at) > as_utc(previous))}
    _audit_read(session, decision, by=by, person=person, plan=plan)
    return view


@service
def section_history(session: Session, /, *, person: Any, by: Any,
                    section_key: str | None = None) -> tuple[PlanView, list[PlanVersion]]:
    view = open_plan(session, person=person, by=by, mark_seen=False)
    if view.plan is None:
        return view, []
    query = select(PlanVersion).where(PlanVersion.plan_id == view.plan.id)
    if section_key is not None:
        query = query.where(PlanVersion.section_key == section_key)
    versions = list(session.scalars(query.order_by(PlanVersion.created_at.desc(),
                                                   PlanVersion.id.desc())))
    return view, versions


def version_of(session: Session, plan: Plan | None, section_key: str, number: int
               ) -> PlanVersion | None:
    if plan is None:
        return None
    return session.scalar(select(PlanVersion).where(
        PlanVersion.plan_id == plan.id, PlanVersion.section_key == section_key,
        PlanVersion.number == number))


def draft_of(session: Session, plan: Plan | None, section_key: str, by: Any) -> PlanDraft | None:
    if plan is None:
        return None
    return session.scalar(select(PlanDraft).where(
        PlanDraft.plan_id == plan.id, PlanDraft.section_key == section_key,
        PlanDraft.author_id == by.id))


def _check_size(content: dict[str, Any]) -> None:
    length = catalogue.size(content)
    if length > MAX_SECTION_CHARS:
        raise TooLong(length)


def _write_version(session: Session, *, plan: Plan, section: Section, content: dict[str, Any],
                   base_number: int, decision: Decision, person: Any, by: Any,
                   restored_from: int | None = None) -> PlanVersion:
    query = select(PlanSection).where(PlanSection.plan_id == plan.id,
                                      PlanSection.section_key == section.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    current = session.scalar(query.execution_options(populate_existing=True))
    number = current.number if current else 0
    if number != base_number:
        assert current is not None  # nosec B101: base 0 matches a missing row
        raise StaleVersion(current)
    now = utcnow()
    version = PlanVersion(plan_id=plan.id, section_key=section.id, number=number + 1,
                          content=content, author_id=by.id, reason=str(decision.reason),
                          relationship=decision.grant.relationship if decision.grant else None,
                          restored_from=restored_from, created_at=now)
    session.add(version)
    if current is None:
        current = PlanSection(plan_id=plan.id, section_key=section.id)
        session.add(current)
    current.number, current.content = number + 1, content
    current.updated_at, current.updated_by_id = now, by.id
    plan.updated_at = now
    session.execute(delete(PlanDraft).where(PlanDraft.plan_id == plan.id,
                                            PlanDraft.section_key == section.id,
                                            PlanDraft.author_id == by.id))
    session.flush()
    record(session, EventType.RECORD_CHANGED, actor_id=by.id, subject_id=person.id,
           target_type=RecordType.PLAN, target_id=version.id, reason=decision.reason,
           viewer_roles=_roles(by), fields=[section.id])
    return version


@service
def save_section(session: Session, /, *, person: Any, section: Section, content: dict[str, Any],
                 base_number: int, by: Any) -> PlanVersion | None:
    """Save a new version of the section, unless someone saved it since ``base_number``
    (``StaleVersion``). Returns None when nothing changed."""
    decision = _allow(session, by, person, Access.PLAN_WRITE)
    _check_size(content)
    plan = _plan_for_change(session, person)
    current = session.scalar(select(PlanSection).where(PlanSection.plan_id == plan.id,
                                                       PlanSection.section_key == section.id))
    if current is not None and current.number == base_number and current.content == content:
        return None
    if current is None and base_number == 0 and catalogue.is_empty(content):
        return None
    return _write_version(session, plan=plan, section=section, content=content,
                          base_number=base_number, decision=decision, person=person, by=by)


@service
def save_draft(session: Session, /, *, person: Any, section: Section, content: dict[str, Any],
               base_number: int, by: Any) -> PlanDraft:
    """Keep ``by``'s unsaved work on the section (one draft per writer and section)."""
    decision = _allow(session, by, person, Access.PLAN_WRITE)
    _check_size(content)
    plan = _plan_for_change(session, person)
    draft = draft_of(session, plan, section.id, by)
    if draft is None:
        draft = PlanDraft(plan_id=plan.id, section_key=section.id, author_id=by.id)
        session.add(draft)
    draft.content, draft.base_number, draft.updated_at = content, base_number, utcnow()
    session.flush()
    record(session, EventType.RECORD_CHANGED, actor_id=by.id, subject_id=person.id,
           target_type=RecordType.PLAN_DRAFT, target_id=draft.id, reason=decision.reason,
           viewer_roles=_roles(by), fields=[section.id])
    return draft


@service
def restore_version(session: Session, /, *, person: Any, section: Section, number: int,
                    by: Any) -> PlanVersion:
    """Make a new version with the content of version ``number`` (which must exist)."""
    decision = _allow(session, by, person, Access.PLAN_WRITE)
    plan = plan_of(session, person.id)
    old = version_of(session, plan, section.id, number)
    if plan is None or old is None:
        raise VersionNotFound(number)
    current = current_sections(session, plan)[section.id]
    return _write_version(session, plan=plan, section=section, content=dict(old.content),
                          base_number=current.number, decision=decision, person=person, by=by,
                          restored_from=number)


def can_add_note(session: Session, *, person: Any, by: Any) -> bool:
    """The person (answering a note) or their team with the plan consent: asked before the
    form is read, so someone who may not gets a refusal, not a form error."""
    access = Access.PLAN_WRITE if by.id == person.id else Access.PLAN_NOTE
    return bool(decide(session, actor=by, person=person, access=access))


def can_add_link(session: Session, *, person: Any, by: Any) -> bool:
    """Whoever may change the plan's words, or suggest beside them (``add_link``)."""
    return bool(decide(session, actor=by, person=person, access=Access.PLAN_WRITE)
                or decide(session, actor=by, person=person, access=Access.PLAN_NOTE))


@service
def add_note(session: Session, /, *, person: Any, text: str, by: Any,
             section_key: str | None = None, reply_to_id: int | None = None) -> PlanNote:
    """A professional's note (PLAN_NOTE), or the person's answer to one."""
    if by.id == person.id:
        decision = _allow(session, by, person, Access.PLAN_WRITE)
    else:
        decision = _allow(session, by, person, Access.PLAN_NOTE)
    plan = _plan_for_change(session, person)
    if reply_to_id is not None and session.scalar(select(PlanNote.id).where(
            PlanNote.id == reply_to_id, PlanNote.plan_id == plan.id)) is None:
        raise VersionNotFound(reply_to_id)
    if by.id == person.id and reply_to_id is None:
        raise NotAllowed("the person answers notes; their own words go in the sections")
    note = PlanNote(plan_id=plan.id, section_key=section_key, reply_to_id=reply_to_id,
                    author_id=by.id, team_id=decision.team_id, text=text[:MAX_NOTE_CHARS],
                    created_at=utcnow())
    session.add(note)
    session.flush()
    record(session, EventType.RECORD_CHANGED, actor_id=by.id, subject_id=person.id,
           target_type=RecordType.PLAN_NOTE, target_id=note.id, reason=decision.reason,
           viewer_roles=_roles(by), fields=[section_key or "plan"])
    return note


LINK_CHOICES = 8


def link_candidates(session: Session, kind: LinkKind, typed: str) -> list[tuple[str, str]]:
    """What a typed link could mean, as (target, label) pairs: the one page or service whose
    address name, reference, title or name it is; otherwise up to ``LINK_CHOICES`` whose title
    or name contains the words (for the person to choose from); none when nothing matches."""
    from portal.content.queries import visible_by_slug, visible_versions
    from portal.directory.models import Service
    from portal.directory.queries import published_services

    text = " ".join(typed.split())
    if not text:
        return []
    if kind is LinkKind.GUIDANCE:
        exact = visible_by_slug(session, text.lower())
        if exact is not None:
            return [(exact.item.slug, exact.title)]
        versions = visible_versions(session)
        named = [v for v in versions if v.title.casefold() == text.casefold()]
        words = text.casefold().split()
        found = named or [v for v in versions
                          if all(word in v.title.casefold() for word in words)]
        return [(v.item.slug, v.title) for v in found[:LINK_CHOICES]]
    listed = published_services(session)
    by_id = session.scalar(listed.where(Service.id == text))
    if by_id is not None:
        return [(by_id.id, by_id.name)]
    same = list(session.scalars(listed.where(func.lower(Service.name) == text.lower())
                                .limit(LINK_CHOICES)))
    if not same:
        pattern = "%" + "%".join(word.replace("\\", "\\\\").replace("%", "\\%")
                                 .replace("_", "\\_") for word in text.split()) + "%"
        same = list(session.scalars(listed.where(Service.name.ilike(pattern, escape="\\"))
                                    .limit(LINK_CHOICES)))
    return [(service.id, service.name) for service in same]


def link_target_exists(session: Session, kind: LinkKind, target: str) -> bool:
    from portal.content.queries import visible_by_slug
    from portal.directory.models import Service

    if kind is LinkKind.GUIDANCE:
        return visible_by_slug(session, target) is not None
    return session.get(Service, target) is not None


@service
def add_link(session: Session, /, *, person: Any, section_key: str, kind: LinkKind, target: str,
             by: Any) -> PlanLink:
    """Link an approved guidance page or a directory service to a section. A professional's
    link is a suggestion (shown with who and when) until the person removes it."""
    decision = decide(session, actor=by, person=person, access=Access.PLAN_WRITE)
    suggested = False
    if not decision:
        decision = _allow(session, by, person, Access.PLAN_NOTE)
        suggested = True
    if not link_target_exists(session, kind, target):
        raise LinkTargetUnknown(target)
    plan = _plan_for_change(session, person)
    link = PlanLink(plan_id=plan.id, section_key=section_key, kind=kind.value, target=target,
                    added_by_id=by.id, suggested=suggested, added_at=utcnow())
    session.add(link)
    session.flush()
    record(session, EventType.RECORD_CHANGED, actor_id=by.id, subject_id=person.id,
           target_type=RecordType.PLAN_LINK, target_id=link.id, reason=decision.reason,
           viewer_roles=_roles(by), fields=[section_key])
    return link


@service
def remove_link(session: Session, /, *, person: Any, link_id: int, by: Any) -> PlanLink:
    decision = _allow(session, by, person, Access.PLAN_WRITE)
    plan = plan_of(session, person.id)
    link = session.get(PlanLink, link_id)
    if plan is None or link is None or link.plan_id != plan.id or link.removed_at is not None:
        raise VersionNotFound(link_id)
    link.removed_at, link.removed_by_id = utcnow(), by.id
    session.flush()
    record(session, EventType.RECORD_CHANGED, actor_id=by.id, subject_id=person.id,
           target_type=RecordType.PLAN_LINK, target_id=link.id, reason=decision.reason,
           viewer_roles=_roles(by), fields=[link.section_key])
    return link


# Export (FHIR and "your data") and erasure ------------------------------------------------

def _carers(session: Session, person: Any) -> list[Any]:
    from portal.accounts.models import User
    from portal.circles.policy import live_grant
    from portal.plans.fhir import Carer

    carer_ids = session.scalars(select(CarerGrant.carer_id).distinct().where(
        CarerGrant.person_id == person.id))
    carers = []
    for carer_id in sorted(carer_ids):
        grant = live_grant(session, carer_id=carer_id, person_id=person.id)
        if grant is not None:
            carer = session.get(User, carer_id)
            if carer is not None:
                carers.append(Carer(id=grant.id, relationship=grant.relationship,
                                    name=carer.display_name))
    return carers


def fhir_bundle(session: Session, person: Any) -> dict[str, Any]:
    from portal.circles.models import TeamConsent
    from portal.plans.fhir import bundle
    from portal.plans.presenters import nhs_number

    plan = plan_of(session, person.id)
    consents = list(session.scalars(select(TeamConsent).where(
        TeamConsent.person_id == person.id).order_by(TeamConsent.id)))
    return bundle(person=person, nhs_number=nhs_number(session, person),
                  sections=current_sections(session, plan), grants=_carers(session, person),
                  consents=consents, now=utcnow())


@service
def export_fhir(session: Session, /, *, person: Any, by: Any) -> dict[str, Any]:
    """The plan as a FHIR R4 bundle, for the person or someone who may read the plan."""
    decision = _allow(session, by, person, Access.PLAN_READ)
    data = fhir_bundle(session, person)
    plan = plan_of(session, person.id)
    record(session, EventType.DATA_EXPORTED, actor_id=by.id, subject_id=person.id,
           target_type=RecordType.PLAN, target_id=plan.id if plan else None,
           reason=decision.reason, format="fhir")
    return data


def export_plan(session: Session, user: Any) -> dict[str, Any] | None:
    """The person's plan as plain JSON for "your data": every section, every version, their
    drafts, the notes and the links."""
    plan = plan_of(session, user.id)
    if plan is None:
        return None
    versions = session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan.id)
                               .order_by(PlanVersion.section_key, PlanVersion.number))
    notes = session.scalars(select(PlanNote).where(PlanNote.plan_id == plan.id)
                            .order_by(PlanNote.id))
    links = session.scalars(select(PlanLink).where(PlanLink.plan_id == plan.id)
                            .order_by(PlanLink.id))
    drafts = session.scalars(select(PlanDraft).where(PlanDraft.plan_id == plan.id)
                             .order_by(PlanDraft.id))
    return {
        "sections": {key: {"version": row.number, "content": row.content,
                           "updated_at": row.updated_at.isoformat()}
                     for key, row in sorted(current_sections(session, plan).items())},
        "versions": [{"section": v.section_key, "number": v.number, "content": v.content,
                      "author_id": v.author_id, "acting_as": v.reason,
                      "relationship": v.relationship, "restored_from": v.restored_from,
                      "saved_at": v.created_at.isoformat()} for v in versions],
        "drafts": [{"section": d.section_key, "author_id": d.author_id, "content": d.content,
                    "updated_at": d.updated_at.isoformat()} for d in drafts],
        "notes": [{"id": n.id, "section": n.section_key, "reply_to": n.reply_to_id,
                   "author_id": n.author_id, "text": n.text,
                   "written_at": n.created_at.isoformat()} for n in notes],
        "links": [{"section": link.section_key, "kind": link.kind, "target": link.target,
                   "suggested": link.suggested, "added_by_id": link.added_by_id,
                   "added_at": link.added_at.isoformat(),
                   "removed_at": link.removed_at.isoformat() if link.removed_at else None}
                  for link in links],
    }


def erase_plan(session: Session, user: Any) -> None:
    """The person's plan and everything in it; their drafts and "last looked" marks on other
    people's plans. Notes they wrote on someone else's plan are that person's record: they
    stay, their author shown as a deleted account."""
    plan = plan_of(session, user.id)
    if plan is not None:
        for model in (PlanSeen, PlanDraft, PlanLink, PlanVersion, PlanSection):
            session.execute(delete(model).where(model.plan_id == plan.id))
        session.execute(delete(PlanNote).where(PlanNote.plan_id == plan.id,
                                               PlanNote.reply_to_id.is_not(None)))
        session.execute(delete(PlanNote).where(PlanNote.plan_id == plan.id))
        session.execute(delete(Plan).where(Plan.id == plan.id))
    session.execute(delete(PlanDraft).where(PlanDraft.author_id == user.id))
    session.execute(delete(PlanSeen).where(PlanSeen.viewer_id == user.id))


register_exporter("plans", export_plan)
register_eraser("plans", erase_plan)
