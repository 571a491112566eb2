"""What the editors' and moderators' pages show: read-only view models built from queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from portal.directory.models import Organisation, Service
from portal.moderation import diff, policies, queries
from portal.moderation.forms import ServiceForm
from portal.moderation.models import RevisionStatus, ServiceRevision
from portal.moderation.services import EditConflict
from portal.moderation.snapshot import snapshot


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    stale: bool
    waiting: list[ServiceRevision]
    own: ServiceRevision | None

    @property
    def own_is_out_of_date(self) -> bool:
        return self.own is not None and self.own.base_version != self.service.version


def dashboard(session: Session, user: Any, on: date) -> dict[str, Any]:
    """The editor's page: listings per organisation, drafts, recent decisions, reports."""
    org_ids = policies.editor_organisation_ids(user)
    recent = queries.recent_revisions(session, org_ids)
    waiting: dict[str | None, list[ServiceRevision]] = {}
    for revision in queries.pending_of(session, org_ids):
        waiting.setdefault(revision.service_id, []).append(revision)
    rows: dict[str, list[ServiceRow]] = {}
    for service in queries.services_of(session, org_ids):
        pending = waiting.get(service.id, [])
        own = next((r for r in pending if r.author_id == user.id), None)
        rows.setdefault(service.organisation_id, []).append(
            ServiceRow(service, policies.is_stale(service, on), pending, own))
    return {
        "organisations": [(org, rows.get(org.id, []))
                          for org in queries.organisations(session, org_ids)],
        "drafts": waiting.get(None, []),
        "recent": recent,
        "services": queries.services_by_id(session, (r.service_id for r in recent)),
        "people": queries.users_by_id(session, [r.author_id for r in recent]),
        "reports": queries.open_reports(session, org_ids),
    }


def revision_page(session: Session, revision: ServiceRevision, user: Any) -> dict[str, Any]:
    """One revision compared with what came before it (or with the listing as it is now)."""
    service = session.get(Service, revision.service_id) if revision.service_id else None
    if revision.status is RevisionStatus.PUBLISHED:
        previous = queries.published_before(session, revision)
        before = previous.data if previous else None
    else:
        before = snapshot(service) if service is not None else None
    rows = diff.compare(before, revision.data, queries.names(session))
    waiting = queries.pending_for(session, service.id) if service is not None else []
    return {
        "revision": revision,
        "service": service,
        "organisation": session.get(Organisation, revision.organisation_id),
        "changed": [row for row in rows if row.changed],
        "unchanged": [row for row in rows if not row.changed],
        "people": queries.users_by_id(session, [revision.author_id, revision.decided_by_id]),
        "can_change": policies.can_change_revision(user, revision),
        "can_publish": policies.can_publish(user, revision),
        "can_edit": service is not None and policies.can_edit_service(user, service),
        "out_of_date": (revision.status is RevisionStatus.PENDING and service is not None
                        and revision.base_version != service.version),
        "others_waiting": [r for r in waiting if r.id != revision.id],
    }


def editor_form_context(session: Session, form: ServiceForm, *, organisation: Organisation,
                        service: Service | None, user: Any, action: str | None = None,
                        conflict: EditConflict | None = None,
                        start_from: ServiceRevision | None = None,
                        listing_preview: Any = None) -> dict[str, Any]:
    """Everything the listing editor page needs, conflict included."""
    context: dict[str, Any] = {
        "form": form, "organisation": organisation, "service": service, "conflict": None,
        "action": action or url_for("moderation.edit_service", service_id=service.id),  # type: ignore[union-attr]
        "restoring": start_from if start_from is not None
        and start_from.status is RevisionStatus.PUBLISHED else None,
        "building_on": start_from if start_from is not None
        and start_from.status is RevisionStatus.PENDING else None,
        "others_waiting": [], "people": {}, "listing_preview": listing_preview,
    }
    if service is not None:
        others = [r for r in queries.pending_for(session, service.id) if r.author_id != user.id]
        context["others_waiting"] = others
        context["people"] = queries.users_by_id(session, [r.author_id for r in others])
    if conflict is not None:
        rows = diff.compare(conflict.current, form.to_snapshot(), queries.names(session))
        form.base_version.data = str(conflict.service.version)
        form.replaces.data = str(conflict.replaces or "")
        context["conflict"] = {
            "rows": [row for row in rows if row.changed],
            "theirs": conflict.current_revision,
            "start_again": url_for("moderation.edit_service", service_id=conflict.service.id,
                                   start=conflict.current_revision.id
                                   if conflict.current_revision else "current"),
        }
    return context
