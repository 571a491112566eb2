"""Demo data: carer's assessment requests in every status across localities, made and
moved through the services, so the care worker's queue is populated from the start."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.carers.models import CarerReferral, ReferralStatus
from portal.figures.demo import FIRST_SEQUENCE
from portal.places.models import Locality


def test_demo_requests_fill_the_queue_in_every_status(app, session, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0  # idempotent
    rows = session.execute(select(CarerReferral.reference, CarerReferral.status,
                                  CarerReferral.urgent, CarerReferral.team_id,
                                  Locality.slug).outerjoin(
        Locality, Locality.id == CarerReferral.locality_id)
        .where(CarerReferral.sequence < FIRST_SEQUENCE)).all()  # not the figures' history
    assert len(rows) == 9
    assert {row.status for row in rows} == set(ReferralStatus)
    assert {row.slug for row in rows} == {"torquay", "devonport", None}
    assert [row.slug for row in rows if row.team_id is None] == [None]  # triage
    assert sum(row.urgent for row in rows) == 2
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "carer_referral_contact_recorded")) == 5

    with app.app_context():  # accounts have encrypted columns
        worker = session.scalar(select(User).where(User.email == "careworker@demo.portal.test"))
        carer = session.scalar(select(User).where(User.email == "carer@demo.portal.test"))
    client.sign_in_as(worker)
    html = client.get("/carers/queue").get_data(as_text=True)
    assert html.count('data-urgent="true"') == 1  # Torquay's; Devonport's is not Cal's
    assert html.count('data-overdue="true"') == 1
    assert html.index("Urgent") < html.index("Routine")
    assert "Cal Careworker" in html
    client.sign_in_as(carer)
    mine = client.page("/account/carers-assessments").text
    assert "Contact made" in mine
