"""Each figure's computation (portal.figures.queries) on fixed data, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from portal.authz import Role
from portal.carers import services as carers
from portal.carers.models import CarerReferral, ReferralStatus
from portal.carers.progress import counted
from portal.circles.models import Purpose
from portal.content.models import ContentFeedback, VersionStatus
from portal.figures import queries
from portal.figures.filters import Filters
from portal.messaging import services as messaging
from portal.messaging.hours import LONDON
from portal.messaging.models import MessageThread
from portal.plans.models import Plan, PlanSection
from portal.search.services import note_gap
from tests.helpers.factories import (
    make_consent,
    make_content_item,
    make_content_version,
    make_grant,
    make_locality,
    make_service,
    make_taxonomy_term,
    make_team,
    make_user,
    serve,
)

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
Q1 = Filters(None, date(2026, 1, 1), date(2026, 3, 1))


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def referral(session, locality, team, sent, *, urgent=False, updates=()):  # type: ignore[no-untyped-def]
    """A referral sent at ``sent``, moved on by a care worker of ``team`` through the carers
    service at each of ``updates``' times."""
    n = (session.query(CarerReferral).count() or 0) + 1
    row = CarerReferral(reference=f"CR-2026-{n:06d}", year=2026, sequence=n, answers={},
                        urgent=urgent, locality_id=locality.id if locality else None,
                        team_id=team.id, created_at=sent, updated_at=sent)
    session.add(row)
    session.flush()
    counted(session, row)  # as carers.services.submit does
    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    for status, at in updates:
        with time_machine.travel(at, tick=False):
            carers.change_status(session, referral=row, status=status, note=None, by=worker)
    return row


def test_carer_referrals_per_locality_and_month_with_contact_and_outcome(app, session):
    here, there = make_locality(session), make_locality(session)
    team = make_team(session, [here, there])
    with app.app_context():
        # Monday 2 March 10:00; contacted Wednesday 10:00 (2 days: within 5 working days).
        referral(session, here, team, local(2026, 3, 2, 10, 0),
                 updates=[(ReferralStatus.BEING_LOOKED_AT, local(2026, 3, 2, 11, 0)),
                          (ReferralStatus.CONTACT_MADE, local(2026, 3, 4, 10, 0)),
                          (ReferralStatus.ASSESSMENT_BOOKED, local(2026, 3, 10, 10, 0))])
        # Urgent, Friday 6 March 10:00, contacted Tuesday: after the next working day (Monday).
        referral(session, here, team, local(2026, 3, 6, 10, 0), urgent=True,
                 updates=[(ReferralStatus.CONTACT_MADE, local(2026, 3, 10, 10, 0)),
                          (ReferralStatus.COMPLETED, local(2026, 3, 20, 10, 0))])
        referral(session, here, team, local(2026, 1, 20, 10, 0))  # never contacted
        referral(session, None, team, local(2026, 2, 1, 10, 0))    # the triage queue
        referral(session, there, team, local(2025, 12, 31, 10, 0))  # before the period
    rows = {row.locality.id if row.locality else None: row
            for row in queries.carer_referrals(session, Q1).localities}
    mine = rows[here.id]
    assert mine.per_month == {date(2026, 1, 1): 1, date(2026, 3, 1): 2}
    assert (mine.total, mine.urgent, mine.reached, mine.completed) == (3, 1, 2, 1)
    assert (mine.contact.count, mine.contact.median, mine.contact.p90) == (2, 2.0, 4.0)
    assert mine.within_target == 1
    assert queries.carer_referrals(session, Q1).contact == queries.Spread(2, 2.0, 4.0)
    assert rows[None].per_month == {date(2026, 2, 1): 1}
    assert rows[there.id].total == 0
    only_there = queries.carer_referrals(session, Filters(there, date(2026, 1, 1),
                                                         date(2026, 3, 1))).localities
    assert [(row.locality, row.total) for row in only_there] == [(there, 0)]


def thread(session, team, person, asked, replied=None, *, urgent=False):  # type: ignore[no-untyped-def]
    """A thread the person starts at ``asked`` (urgent: in words that suggest a crisis),
    answered at ``replied`` by a care worker of the team, through the messaging service."""
    serve(session, person, team.localities[0])
    with time_machine.travel(asked, tick=False):
        sent = messaging.start_thread(session, person=person, subject="Subject",
                                      body="I have chest pain" if urgent else "Hello", by=person)
    row = session.get(MessageThread, sent.message.thread_id)
    if replied is not None:
        worker = make_user(session, Role.CARE_WORKER, teams=[team])
        with time_machine.travel(replied, tick=False):
            messaging.reply(session, thread=row, body="Reply", by=worker)
    return row


def test_message_threads_per_team_and_week_with_working_hour_replies(app, session):
    team, other = make_team(session, [make_locality(session)]), make_team(session, [make_locality(session)])
    person, someone = make_user(session), make_user(session)
    make_consent(session, person, Purpose.MESSAGING)
    make_consent(session, someone, Purpose.MESSAGING)
    with app.app_context():
        # Friday 6 March 16:00, answered Monday 09:30: 1 working hour, within the promise.
        thread(session, team, person, local(2026, 3, 6, 16, 0), local(2026, 3, 9, 9, 30), urgent=True)
        # Monday 9 March 09:00, answered Friday 13 March 09:00: past the 2-working-day promise.
        thread(session, team, person, local(2026, 3, 9, 9, 0), local(2026, 3, 13, 9, 0))
        # Never answered, long past the promise.
        thread(session, team, person, local(2026, 2, 2, 9, 0))
        thread(session, other, someone, local(2026, 3, 9, 9, 0), local(2026, 3, 9, 10, 0))
    found = queries.message_threads(session, Q1)
    rows = {row.team.id: row for row in found.teams}
    mine = rows[team.id]
    assert mine.per_week == {date(2026, 3, 2): 1, date(2026, 3, 9): 1, date(2026, 2, 2): 1}
    assert mine.urgent == 1
    assert (mine.reply.count, mine.reply.median, mine.reply.p90) == (2, 1.0, 32.0)
    assert mine.overdue == 2
    assert mine.promise_days == 2
    assert rows[other.id].reply == queries.Spread(1, 1.0, 1.0)
    assert found.reply == queries.Spread(3, 1.0, 32.0)
    assert rows[other.id].overdue == 0


def test_search_gaps_per_locality_month_and_words(session):
    for query, filters, when in [
            ("Men's group", {"near_locality": "brixham"}, datetime(2026, 2, 3, tzinfo=UTC)),
            ("men's group ", {"localities": ["brixham", "torquay"]}, datetime(2026, 2, 4, tzinfo=UTC)),
            ("MEN'S GROUP", {"near_locality": "brixham"}, datetime(2026, 3, 4, tzinfo=UTC)),
            ("swimming", {}, datetime(2026, 1, 4, tzinfo=UTC)),
            ("", {"free": True}, datetime(2026, 1, 5, tzinfo=UTC)),
            ("late", {}, datetime(2026, 4, 1, tzinfo=UTC))]:
        with time_machine.travel(when, tick=False):
            note_gap(session, words=query, filters=filters)
    session.flush()
    gaps = queries.search_gaps(session, Q1)
    assert gaps.per_locality == {"brixham": {date(2026, 2, 1): 2, date(2026, 3, 1): 1},
                                 None: {date(2026, 1, 1): 2}}
    assert gaps.words[("men's group", "brixham")] == {date(2026, 2, 1): 2, date(2026, 3, 1): 1}
    assert gaps.words[("swimming", None)] == {date(2026, 1, 1): 1}
    assert len(gaps.words) == 2
    assert set(queries.search_gaps(session, Q1, at_least=3).words) == {("men's group", "brixham")}


def test_listing_freshness_and_needs_with_no_service(session):
    here, there = make_locality(session), make_locality(session)
    need = make_taxonomy_term(session, name="Transport")
    child = make_taxonomy_term(session, need.taxonomy, parent=need, name="Community buses")
    other_need = make_taxonomy_term(session, need.taxonomy, name="Food")
    fresh = make_service(session, last_checked_on=date(2026, 1, 10))
    stale = make_service(session, fresh.organisation, last_checked_on=date(2024, 1, 10))
    fresh.localities, stale.localities = [here], [here, there]
    fresh.terms, stale.terms = [child], [need]
    session.flush()
    per_locality, per_organisation = queries.listing_freshness(session, Q1)
    found = {row.label: (row.listings, row.checked) for row in per_locality}
    assert found[here.name] == (2, 1) and found[there.name] == (1, 0)
    assert [(r.label, r.listings, r.checked) for r in per_organisation] == [
        (fresh.organisation.name, 2, 1)]
    coverage = queries.need_coverage(session, Q1)
    assert coverage.services[(need.id, here.id)] == 2
    assert coverage.services[(need.id, there.id)] == 1
    assert (other_need.id, here.id) not in coverage.services
    assert {name for _id, name in coverage.needs} >= {"Transport", "Food"}


def test_guidance_states_reviews_due_and_helpful_answers(session):
    live = make_content_item(session, title="Live item")
    make_content_item(session, draft=True, title="Waiting for approval")  # live + submitted
    overdue = make_content_item(session, live=False)
    make_content_version(session, overdue, review_due=date(2026, 4, 1), title="Past review")
    soon = make_content_item(session, live=False)
    make_content_version(session, soon, review_due=date(2026, 6, 1), title="Due soon")
    gone = make_content_item(session, live=False)
    make_content_version(session, gone, status=VersionStatus.WITHDRAWN, title="Gone")
    for helpful in (True, True, False):
        session.add(ContentFeedback(item_id=live.id, version_number=1, helpful=helpful,
                                    created_at=datetime(2026, 2, 1, tzinfo=UTC)))
    session.add(ContentFeedback(item_id=live.id, version_number=1, helpful=True,
                                created_at=datetime(2026, 4, 1, tzinfo=UTC)))  # after the period
    session.flush()
    items = {item.title: item for item in queries.guidance(session, Q1)}
    assert {title: item.state for title, item in items.items()} == {
        "Live item": "live", "Waiting for approval": "under_review", "Past review": "under_review",
        "Due soon": "live", "Gone": "withdrawn"}
    assert (items["Live item"].responses, items["Live item"].helpful) == (3, 2)
    due = [item.title for item in queries.reviews_due(list(items.values()))]
    assert due == ["Past review", "Due soon"]


def test_use_counts_people_plans_and_carers_per_locality(app, session):
    here = make_locality(session)
    rose, sam = serve(session, make_user(session), here), serve(session, make_user(session), here)
    carer = serve(session, make_user(session, Role.CARER), here)
    make_user(session, Role.CARE_WORKER)  # staff are not counted
    make_user(session)                    # no locality known
    with app.app_context():
        for person in (rose, sam):
            plan = Plan(person_id=person.id)
            session.add(plan)
            session.flush()
            session.add(PlanSection(plan_id=plan.id, section_key="about_me", number=1,
                                    content={"text": "x"}))
        session.flush()
    make_consent(session, rose, "plan")
    make_grant(session, sam, carer, "messages:send")
    make_grant(session, rose, carer, "plan:view", revoked=True)
    rows = {row.locality.id if row.locality else None: row
            for row in queries.use(session, Filters(None, date(2026, 1, 1), date(2026, 12, 1)))}
    mine = rows[here.id]
    assert (mine.registered, mine.plans_written, mine.plans_shared, mine.carers_acting) == (3, 2, 1, 1)
    assert rows[None].registered == 1
    before = queries.use(session, Filters(here, date(2020, 1, 1), date(2020, 1, 1)))
    assert [row.registered for row in before] == [0]
