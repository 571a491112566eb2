"""The moderation demo data: one change waiting for review and one open report."""

from __future__ import annotations

from sqlalchemy import select

from portal.authz import Role
from portal.moderation.demo import DEMO_EDITOR_EMAIL, load_demo
from portal.moderation.models import ProblemReport, RevisionStatus, ServiceRevision
from tests.helpers.factories import make_organisation, make_service, make_user


def test_load_demo_is_idempotent(session):
    load_demo(session)  # nothing to attach to yet: does nothing
    assert session.scalars(select(ServiceRevision)).all() == []
    organisation = make_organisation(session)
    make_user(session, Role.EDITOR, email=DEMO_EDITOR_EMAIL, organisations=[organisation])
    service = make_service(session, organisation)
    load_demo(session)
    load_demo(session)
    [revision] = session.scalars(select(ServiceRevision)).all()
    assert revision.status is RevisionStatus.PENDING and revision.service_id == service.id
    assert revision.data["schedules"][0]["opens_at"] == "10:00"
    [report] = session.scalars(select(ProblemReport)).all()
    assert report.service_id == service.id
