"""Demo data for moderation: one change waiting for review and one open problem report, on a
listing of the demo editor's organisation. Idempotent; does nothing until that editor and a
listing of their organisation exist (call it after the directory's demo data is loaded)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.directory.models import Service, ServiceStatus
from portal.moderation.models import ProblemReport, RevisionStatus, ServiceRevision
from portal.moderation.snapshot import snapshot

DEMO_EDITOR_EMAIL = "editor@demo.portal.test"
DEMO_NOTE = "Demo: new winter opening times."
DEMO_REPORT = "Demo report: the phone number on this listing rang out when I called on Tuesday."


def _demo_service(session: Session) -> tuple[User, Service] | tuple[None, None]:
    editor = session.scalar(select(User).where(User.email == DEMO_EDITOR_EMAIL))
    if editor is None or not editor.organisations:
        return None, None
    service = session.scalar(
        select(Service)
        .where(Service.organisation_id.in_([o.id for o in editor.organisations]),
               Service.published.is_(True), Service.status == ServiceStatus.ACTIVE)
        .order_by(Service.name, Service.id).limit(1))
    return (editor, service) if service is not None else (None, None)


def load_demo(session: Session) -> None:
    editor, service = _demo_service(session)
    if editor is None or service is None:
        return
    exists = session.scalar(select(ServiceRevision.id).where(
        ServiceRevision.service_id == service.id, ServiceRevision.note == DEMO_NOTE))
    if exists is None:
        data = snapshot(service)
        data["schedules"] = [
            {"days": ["MO", "TU", "WE", "TH", "FR"], "opens_at": "10:00", "closes_at": "15:00",
             "by_appointment": False, "description": "Winter hours (demo)"},
        ]
        session.add(ServiceRevision(
            service_id=service.id, organisation_id=service.organisation_id, author_id=editor.id,
            base_version=service.version, data=data, note=DEMO_NOTE,
            status=RevisionStatus.PENDING))
    reported = session.scalar(select(ProblemReport.id).where(
        ProblemReport.service_id == service.id, ProblemReport.message == DEMO_REPORT))
    if reported is None:
        session.add(ProblemReport(service_id=service.id, message=DEMO_REPORT))
    session.flush()
