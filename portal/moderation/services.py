"""Changes to listings through moderation. Each service is one transaction with its audit
event (``portal.unit_of_work``); emails are outbox jobs in the same transaction.

Nothing here touches a published listing except ``publish`` and ``confirm_still_correct``:
an editor's change is a pending ``ServiceRevision`` until a moderator decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.models import User
from portal.audit.events import EventType, ObjectType
from portal.audit.services import record
from portal.db import utcnow
from portal.directory.models import Organisation, Service, new_uuid
from portal.mail import public_url, queue_email
from portal.moderation import policies, queries
from portal.moderation.models import (
    ProblemReport,
    ReportStatus,
    RevisionStatus,
    ServiceRevision,
    StaleReminder,
)
from portal.moderation.policies import is_stale, today
from portal.moderation.snapshot import Snapshot, apply, normalise, snapshot
from portal.unit_of_work import service as unit_of_work

DUPLICATE_WINDOW = timedelta(minutes=10)
REMIND_EVERY_DAYS = 30
# A new report on a listing emails nobody while an open one was emailed this recently.
REPORT_NOTICE_WINDOW = timedelta(hours=1)


class ModerationError(Exception):
    """A change that cannot be made as asked."""


class NotPending(ModerationError):
    """The revision has already been decided (or its listing has gone)."""


class DecisionConflict(ModerationError):
    """The listing or revision changed while the moderator was looking at it."""


class OwnChange(ModerationError):
    """The two-person rule: nobody publishes a change they made themselves (docs/adr)."""


@dataclass
class EditConflict(ModerationError):
    """Someone else got there first: the listing moved on, or their change is waiting."""

    service: Service
    current: Snapshot  # what the editor's version competes with
    current_revision: ServiceRevision | None  # the newest other waiting revision, if any
    others: list[ServiceRevision] = field(default_factory=list)

    @property
    def replaces(self) -> int | None:
        return max((r.id for r in self.others), default=None)


@dataclass(frozen=True)
class EditStart:
    """What the editor form starts from."""

    data: Snapshot
    base_version: int | None
    replaces: int | None = None
    note: str | None = None
    own: ServiceRevision | None = None


# Editors ----------------------------------------------------------------------------------

def edit_start(session: Session, *, service: Service, by: Any,
               start_from: ServiceRevision | None = None, fresh: bool = False) -> EditStart:
    """The editor's own waiting revision if they have one, else the published listing;
    ``start_from``: another waiting revision (build on it) or a published one (restore it);
    ``fresh``: the published listing as it is now, even if the editor has a waiting change."""
    if fresh:
        return EditStart(snapshot(service), service.version)
    if start_from is not None and start_from.status is RevisionStatus.PENDING:
        return EditStart(dict(start_from.data), service.version, replaces=start_from.id)
    if start_from is not None:
        return EditStart(dict(start_from.data), service.version)
    own = queries.own_pending(session, service.id, by.id)
    if own is not None:
        return EditStart(dict(own.data), own.base_version, note=own.note, own=own)
    return EditStart(snapshot(service), service.version)


@unit_of_work
def submit_revision(session: Session, /, *, organisation: Organisation, service: Service | None,
                    data: Snapshot, base_version: int | None, replaces: int | None,
                    note: str | None, by: Any) -> ServiceRevision:
    """Save an editor's change as a waiting revision (their own waiting one is updated).

    Raises ``EditConflict`` when the listing changed since ``base_version`` or another
    person's change is waiting that the editor has not seen (ids above ``replaces``).
    Waiting changes the editor has seen and chosen to replace are superseded.
    """
    data = normalise(data)
    if service is None:
        known = _known_new_listing(session, organisation=organisation, data=data, note=note,
                                   by=by)
        draft = known or _new_listing(session, organisation=organisation, data=data, note=note,
                                      by=by)
        notified = known is None and _tell_moderators(session, f"new:{draft.id}", by=by)
        record(session, EventType.LISTING_SUBMITTED, actor_id=by.id,
               target_type=ObjectType.REVISION, target_id=draft.id, revision=draft.id, new=True,
               notified=notified)
        return draft
    _lock(session, service)
    pending = queries.pending_for(session, service.id)
    # Moderators hear once that a listing waits: only when nothing of it was waiting before.
    started_waiting = not pending
    others = [r for r in pending if r.author_id != by.id]
    unseen = [r for r in others if replaces is None or r.id > replaces]
    if base_version != service.version or unseen:
        newest = others[-1] if others else None
        raise EditConflict(service=service, current=dict(newest.data) if newest else snapshot(service),
                           current_revision=newest, others=others)
    for other in others:
        _supersede(session, other, service=service, by=by)
    own = next((r for r in pending if r.author_id == by.id), None)
    if own is None:
        own = ServiceRevision(service_id=service.id, organisation_id=service.organisation_id,
                              author_id=by.id)
        session.add(own)
    own.data, own.base_version, own.note = data, base_version, note
    _flush(session)
    notified = started_waiting and _tell_moderators(session, f"{service.id}:{own.id}", by=by)
    record(session, EventType.LISTING_SUBMITTED, actor_id=by.id, target_type=ObjectType.LISTING,
           target_id=service.id, revision=own.id, service=service.id, notified=notified)
    return own


def _tell_moderators(session: Session, waiting: str, *, by: Any) -> bool:
    """Email every moderator (but the person submitting) that a change waits for review.

    No content of the change, only a link to the queue. ``waiting`` names this wait (the
    listing and the revision that started it): the outbox key makes it one email per moderator
    per listing per wait, even if the submit is repeated. Returns whether anyone was emailed.
    """
    told = False
    for person in queries.moderators(session):
        if person.id == getattr(by, "id", None):
            continue
        queue_email(session, to=person.email, subject=_("A listing change is waiting for review"),
                    template="moderation_waiting", link=_link("moderation.queue"),
                    key=f"email:moderation-waiting:{waiting}:{person.id}")
        told = True
    return told


@unit_of_work
def update_draft(session: Session, /, *, revision: ServiceRevision, data: Snapshot,
                 note: str | None, by: Any) -> ServiceRevision:
    """Change one's own waiting new listing."""
    if revision.status is not RevisionStatus.PENDING or revision.author_id != by.id:
        raise NotPending(revision.id)
    revision.data, revision.note = normalise(data), note
    _flush(session)
    record(session, EventType.LISTING_DRAFT_CHANGED, actor_id=by.id,
           target_type=ObjectType.REVISION, target_id=revision.id, revision=revision.id)
    return revision


def _known_new_listing(session: Session, *, organisation: Organisation, data: Snapshot,
                       note: str | None, by: Any) -> ServiceRevision | None:
    """A double-clicked submit sends the same new listing twice: the first one, if so."""
    since = utcnow() - DUPLICATE_WINDOW
    recent = session.scalars(select(ServiceRevision).where(
        ServiceRevision.organisation_id == organisation.id, ServiceRevision.service_id.is_(None),
        ServiceRevision.author_id == by.id, ServiceRevision.status == RevisionStatus.PENDING,
        ServiceRevision.created_at >= since))
    for revision in recent:
        if normalise(revision.data) == data and (revision.note or None) == (note or None):
            return revision
    return None


def _new_listing(session: Session, *, organisation: Organisation, data: Snapshot,
                 note: str | None, by: Any) -> ServiceRevision:
    revision = ServiceRevision(organisation_id=organisation.id, author_id=by.id, data=data,
                               note=note)
    session.add(revision)
    session.flush()
    return revision


def _supersede(session: Session, revision: ServiceRevision, *, service: Service, by: Any) -> None:
    revision.status = RevisionStatus.SUPERSEDED
    revision.decided_at, revision.decided_by_id = utcnow(), by.id
    author = session.get(User, revision.author_id) if revision.author_id else None
    if author is not None and author.is_active:
        queue_email(session, to=author.email,
                    subject=_("Your change to a listing has been replaced"),
                    template="moderation_superseded", listing=service.name,
                    link=_link("moderation.editor_revision", revision_id=revision.id))


@unit_of_work
def confirm_still_correct(session: Session, /, *, service: Service, by: Any,
                          on: date | None = None) -> None:
    """The editor says the published listing is still right: it is checked as of today.

    Nothing an editor wrote changes, so no moderation is needed. The version moves on (the
    row changed); waiting revisions based on the old version are moved on with it, since
    nothing they were based on changed.
    """
    old_version = service.version
    service.last_checked_on = on or today()
    _flush(session)
    for revision in queries.pending_for(session, service.id):
        if revision.base_version == old_version:
            revision.base_version = service.version
    _flush(session)
    record(session, EventType.LISTING_CONFIRMED, actor_id=getattr(by, "id", None),
           target_type=ObjectType.LISTING,
           target_id=service.id, version=service.version)


# Moderators -------------------------------------------------------------------------------

@unit_of_work
def publish(session: Session, /, *, revision: ServiceRevision, expected_version: int | None,
            reason: str | None, by: Any, on: date | None = None,
            close_reports: bool = False) -> Service:
    """Apply a waiting revision to the listing (creating it for a new listing).

    Another moderator must publish a change its author made, even when the author is a
    moderator too (restores included): the two-person rule, as for guidance.
    ``close_reports``: the change answers the listing's open problem reports; they are
    resolved, and reporters who left an address are told the listing was fixed.
    """
    if revision.status is not RevisionStatus.PENDING:
        raise NotPending(revision.id)
    if not policies.can_publish(by, revision):
        raise OwnChange(revision.id)
    now = utcnow()
    if revision.service_id is None:
        service = Service(id=new_uuid(), organisation_id=revision.organisation_id, published=True)
        session.add(service)
    else:
        found = session.get(Service, revision.service_id)
        if found is None:
            raise NotPending(revision.id)
        service = found
        _lock(session, service)
        if service.version != expected_version:
            raise DecisionConflict(revision.id)
        _ensure_baseline(session, service)
    apply(session, service, revision.data)
    service.last_checked_on = on or today()
    service.last_modified = now
    revision.service_id = service.id
    revision.status = RevisionStatus.PUBLISHED
    revision.decided_at, revision.decided_by_id = now, by.id
    revision.decision_reason = reason or None
    _flush(session)
    record(session, EventType.LISTING_PUBLISHED, actor_id=by.id, target_type=ObjectType.LISTING,
           target_id=service.id, revision=revision.id, version=service.version,
           service=service.id, new=revision.base_version is None)
    _tell_author(session, revision, service.name, _("Your change to a listing has been published"),
                 "moderation_published")
    if close_reports:
        for report in queries.open_reports_for(session, service.id):
            _resolve(session, report, by=by, revision=revision.id)
            if report.reporter_email:
                queue_email(session, to=report.reporter_email,
                            subject=_("The listing you told us about has been updated"),
                            template="moderation_report_fixed", listing=service.name,
                            link=_link("directory.service", service_id=service.id))
    return service


@unit_of_work
def reject(session: Session, /, *, revision: ServiceRevision, reason: str, by: Any) -> None:
    """Send a waiting revision back with a reason the editor will see."""
    if revision.status is not RevisionStatus.PENDING:
        raise NotPending(revision.id)
    revision.status = RevisionStatus.REJECTED
    revision.decided_at, revision.decided_by_id = utcnow(), by.id
    revision.decision_reason = reason
    _flush(session)
    record(session, EventType.LISTING_REJECTED, actor_id=by.id, target_type=ObjectType.REVISION,
           target_id=revision.id, revision=revision.id, service=revision.service_id)
    name = revision.data.get("name") or _("a new listing")
    _tell_author(session, revision, name, _("Your change to a listing was not published"),
                 "moderation_rejected")


@unit_of_work
def decide(session: Session, /, *, revision: ServiceRevision, decision: str, reason: str | None,
           expected_version: int | None, by: Any, close_reports: bool = False) -> None:
    """A moderator's decision: ``"publish"`` or ``"reject"`` (which needs a reason)."""
    if decision == "publish":
        publish(session, revision=revision, expected_version=expected_version, reason=reason,
                by=by, close_reports=close_reports)
    elif decision == "reject" and reason:
        reject(session, revision=revision, reason=reason, by=by)
    else:
        raise ModerationError(decision)


@unit_of_work
def restore(session: Session, /, *, revision: ServiceRevision, by: Any) -> ServiceRevision:
    """A moderator brings back a published version: it waits for review like any change."""
    service = session.get(Service, revision.service_id) if revision.service_id else None
    if revision.status is not RevisionStatus.PUBLISHED or service is None:
        raise NotPending(revision.id)
    restored = ServiceRevision(
        service_id=service.id, organisation_id=service.organisation_id, author_id=by.id,
        base_version=service.version, data=dict(revision.data),
        note=_("Restores the version published on %(date)s.",
               date=revision.decided_at.date().isoformat() if revision.decided_at else "?"))
    session.add(restored)
    _flush(session)
    record(session, EventType.LISTING_RESTORED, actor_id=by.id, target_type=ObjectType.LISTING,
           target_id=service.id, revision=restored.id, restored_from=revision.id,
           service=service.id)
    return restored


def _ensure_baseline(session: Session, service: Service) -> None:
    """Listings that came from an import have no history: record how they were first."""
    if queries.history(session, service.id):
        return
    now = utcnow()
    when = min(_as_utc(service.last_modified or now), now - timedelta(seconds=1))
    session.add(ServiceRevision(
        service_id=service.id, organisation_id=service.organisation_id, author_id=None,
        base_version=service.version, data=snapshot(service), status=RevisionStatus.PUBLISHED,
        decided_at=when, note=_("The listing before its first reviewed change.")))


def _tell_author(session: Session, revision: ServiceRevision, listing: str, subject: str,
                 template: str) -> None:
    author = session.get(User, revision.author_id) if revision.author_id else None
    if author is None or not author.is_active:
        return
    queue_email(session, to=author.email, subject=subject, template=template, listing=listing,
                link=_link("moderation.editor_revision", revision_id=revision.id))


# Problem reports --------------------------------------------------------------------------

@unit_of_work
def report_problem(session: Session, /, *, service: Service, message: str,
                   email: str | None, by: Any = None) -> ProblemReport:
    """Anyone tells us a listing is wrong. Editors and moderators are told there is a report.

    Repeats collapse into one notice: every report is stored (moderators and editors see them
    all), but a report emails nobody while an earlier report on the same listing is still open
    and was itself emailed within the last ``REPORT_NOTICE_WINDOW`` (an hour). So a burst of
    reports on one listing sends one round of emails; once that report is resolved, or an hour
    after its notice, the next report emails again. When a report was emailed is kept on it
    (``notified_at``) and in its audit event (``notified``).
    """
    notify = not _recently_notified(session, service)
    report = ProblemReport(service_id=service.id, message=message, reporter_email=email or None,
                           notified_at=utcnow() if notify else None)
    session.add(report)
    session.flush()
    record(session, EventType.PROBLEM_REPORTED,
           actor_id=getattr(by, "id", None) if getattr(by, "is_authenticated", False) else None,
           target_type=ObjectType.PROBLEM_REPORT, target_id=report.id, service=service.id,
           contact=bool(email), notified=notify)
    if notify:
        _notify_report(session, service)
    return report


def _recently_notified(session: Session, service: Service) -> bool:
    """Whether an open report on this listing was emailed within the notice window."""
    return session.scalar(select(ProblemReport.id).where(
        ProblemReport.service_id == service.id, ProblemReport.status == ReportStatus.OPEN,
        ProblemReport.notified_at >= utcnow() - REPORT_NOTICE_WINDOW).limit(1)) is not None


def _notify_report(session: Session, service: Service) -> None:
    editors = queries.editors_of(session, service.organisation_id)
    for person in editors:
        queue_email(session, to=person.email,
                    subject=_("Someone has reported a problem with a listing"),
                    template="moderation_problem_report", listing=service.name,
                    link=_link("moderation.editor_home"))
    editor_ids = {person.id for person in editors}
    for person in queries.moderators(session):
        if person.id not in editor_ids:
            queue_email(session, to=person.email,
                        subject=_("Someone has reported a problem with a listing"),
                        template="moderation_problem_report", listing=service.name,
                        link=_link("moderation.queue"))


@unit_of_work
def resolve_report(session: Session, /, *, report: ProblemReport, by: Any) -> None:
    if report.status is ReportStatus.RESOLVED:
        return
    _resolve(session, report, by=by)


def _resolve(session: Session, report: ProblemReport, *, by: Any, revision: int | None = None
             ) -> None:
    report.status = ReportStatus.RESOLVED
    report.resolved_at, report.resolved_by_id = utcnow(), by.id
    _flush(session)
    by_publishing: dict[str, Any] = {"revision": revision} if revision is not None else {}
    record(session, EventType.PROBLEM_RESOLVED, actor_id=by.id,
           target_type=ObjectType.PROBLEM_REPORT, target_id=report.id, service=report.service_id,
           **by_publishing)


# Freshness reminders ----------------------------------------------------------------------

@dataclass
class ReminderCounts:
    stale: int = 0
    reminded_listings: int = 0
    emails: int = 0
    recently_reminded: int = 0
    without_editors: int = 0


@unit_of_work
def remind_stale(session: Session, /, *, on: date | None = None, by: Any = None
                 ) -> ReminderCounts:
    """Email the editors of every listing that may be out of date, at most once in 30 days
    per listing; one email per editor lists all their listings that need a check."""
    on = on or today()
    sent_at = datetime.combine(on, time(12), tzinfo=UTC)
    counts = ReminderCounts()
    reminders = {row.service_id: row for row in session.scalars(select(StaleReminder))}
    by_editor: dict[int, tuple[Any, list[str]]] = {}
    services = session.scalars(select(Service).where(Service.published.is_(True))
                               .order_by(Service.name, Service.id))
    for service in services:
        if not is_stale(service, on):
            continue
        counts.stale += 1
        reminder = reminders.get(service.id)
        if reminder is not None and (on - _as_utc(reminder.sent_at).date()).days < REMIND_EVERY_DAYS:
            counts.recently_reminded += 1
            continue
        editors = queries.editors_of(session, service.organisation_id)
        if not editors:
            counts.without_editors += 1
            continue
        for person in editors:
            by_editor.setdefault(person.id, (person, []))[1].append(service.name)
        if reminder is None:
            reminder = StaleReminder(service_id=service.id)
            session.add(reminder)
        reminder.sent_at = sent_at
        counts.reminded_listings += 1
    for person, listings in by_editor.values():
        queue_email(session, to=person.email, subject=_("Please check your directory listings"),
                    template="moderation_stale", listings=listings,
                    link=_link("moderation.editor_home"))
        counts.emails += 1
    session.flush()
    if counts.reminded_listings:
        record(session, EventType.STALE_REMINDERS_SENT, actor_id=getattr(by, "id", None),
               target_type=ObjectType.DIRECTORY, reminded=counts.reminded_listings)
    return counts


# Helpers ----------------------------------------------------------------------------------

def _lock(session: Session, service: Service) -> None:
    """Take the listing's row lock (PostgreSQL) and re-read it, so two people changing one
    listing at the same moment are dealt with one after the other. (SQLite: the request
    already holds the database's write lock: non-GET requests begin IMMEDIATE, see
    ``portal.db``.)"""
    session.execute(select(Service).where(Service.id == service.id).with_for_update()
                    .execution_options(populate_existing=True))


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise DecisionConflict(str(error)) from error


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _link(endpoint: str, **values: Any) -> str:
    return public_url(endpoint, **values)

