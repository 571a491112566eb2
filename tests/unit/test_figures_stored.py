"""What the figures store per referral, thread and search (set by the services as it happens,
and by migration 0014's backfill) equals what the figures used to work out at read time:
working hours and working days across weekends, bank holidays and the clocks changing."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import create_engine, select, text

from portal import migrate
from portal.authz import Role
from portal.carers import services as carers
from portal.carers.models import CarerReferral, ReferralStatus
from portal.circles.models import Purpose
from portal.messaging import services as messaging
from portal.messaging.hours import LONDON, due_after, team_hours, working_days_to, working_time
from portal.messaging.models import MessageThread
from portal.search.gaps import gap_locality, normalise_words
from portal.search.models import SearchGap, SearchGapCount
from portal.search.services import note_gap
from tests.helpers.database import BACKENDS, throwaway_database
from tests.helpers.factories import make_consent, make_locality, make_team, make_user, serve


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


# Start and end pairs over weekends, Easter 2026 (Good Friday 3 April, Easter Monday 6 April),
# the clocks going forward (29 March), Christmas and New Year, and out of hours.
AWKWARD = [
    (local(2026, 3, 6, 16, 0), local(2026, 3, 9, 9, 30)),    # Friday afternoon to Monday
    (local(2026, 4, 2, 16, 0), local(2026, 4, 7, 10, 0)),    # Thursday before Easter to Tuesday
    (local(2026, 4, 3, 11, 0), local(2026, 4, 6, 15, 0)),    # Good Friday to Easter Monday
    (local(2026, 3, 7, 10, 0), local(2026, 3, 8, 15, 0)),    # Saturday to Sunday
    (local(2026, 3, 10, 22, 0), local(2026, 3, 11, 9, 15)),  # at night, answered next morning
    (local(2026, 3, 27, 9, 0), local(2026, 4, 2, 9, 0)),     # across the clocks going forward
    (local(2025, 12, 24, 15, 0), local(2026, 1, 2, 10, 0)),  # Christmas and New Year
    (local(2026, 3, 9, 9, 0), local(2026, 3, 13, 9, 0)),     # a working week
    (local(2026, 3, 9, 12, 0), local(2026, 3, 9, 11, 0)),    # answered "before" (clock skew)
]


@pytest.mark.parametrize("team", ["default", "devonport-care-team"])
def test_working_days_to_agrees_with_the_target_rule_everywhere(team):
    """"Within n working days" read from the stored working days is the old rule (the end of
    the n-th working day after the one the request counts from), for every n."""
    hours = team_hours(team)
    rng = random.Random(9)  # nosec B311 # fixed cases
    start = local(2025, 12, 1, 0, 0)
    pairs = list(AWKWARD) + [
        (sent, sent + timedelta(hours=rng.uniform(0, 400)))
        for sent in (start + timedelta(minutes=rng.uniform(0, 200 * 24 * 60)) for _ in range(400))]
    for sent, contacted in pairs:
        taken = working_days_to(hours, sent, contacted)
        for n in range(0, 8):
            assert (taken <= n) == (contacted <= due_after(hours, n, sent)), (sent, contacted, n)


def test_working_days_to_counts_past_easter():
    hours = team_hours("default")
    # Sent Thursday 2 April 16:00; Good Friday and Easter Monday closed: Tuesday is day 1.
    assert working_days_to(hours, local(2026, 4, 2, 16, 0), local(2026, 4, 2, 16, 20)) == 0
    assert working_days_to(hours, local(2026, 4, 2, 16, 0), local(2026, 4, 7, 10, 0)) == 1
    assert working_days_to(hours, local(2026, 4, 2, 16, 0), local(2026, 4, 8, 10, 0)) == 2
    # Sent on Saturday: counts from Monday.
    assert working_days_to(hours, local(2026, 3, 7, 10, 0), local(2026, 3, 9, 16, 0)) == 0


@pytest.mark.parametrize(("sent", "contacted"), AWKWARD[:-1])
def test_the_carers_service_stores_what_the_figures_worked_out(app, session, sent, contacted):
    here = make_locality(session)
    team = make_team(session, [here])
    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    with app.app_context():
        referral = CarerReferral(reference="CR-2026-000001", year=2026, sequence=1, answers={},
                                 locality_id=here.id, team_id=team.id, created_at=sent,
                                 updated_at=sent)
        session.add(referral)
        session.flush()
        steps = [(ReferralStatus.BEING_LOOKED_AT, sent + timedelta(minutes=1)),
                 (ReferralStatus.CONTACT_MADE, contacted),
                 (ReferralStatus.ASSESSMENT_BOOKED, contacted + timedelta(days=3)),
                 (ReferralStatus.CONTACT_MADE, contacted + timedelta(days=4)),  # back again
                 (ReferralStatus.COMPLETED, contacted + timedelta(days=9))]
        for status, at in steps:
            with time_machine.travel(at, tick=False):
                carers.change_status(session, referral=referral, status=status, note=None,
                                     by=worker)
    stored = session.execute(select(
        CarerReferral.contact_made_at, CarerReferral.contact_days,
        CarerReferral.contact_working_days, CarerReferral.reached_at)
        .where(CarerReferral.id == referral.id)).one()
    hours = team_hours(team.slug)
    assert _utc(stored.contact_made_at) == contacted  # the first contact, not the later one
    assert stored.contact_days == (contacted - sent).total_seconds() / 86400
    for target in (1, 5):  # the old rule, for an urgent and a routine request
        assert (stored.contact_working_days <= target) == (contacted <= due_after(hours, target, sent))
    assert _utc(stored.reached_at) == contacted + timedelta(days=3)


@pytest.mark.parametrize(("asked", "replied"), [pair for pair in AWKWARD if pair[1] > pair[0]])
def test_the_messaging_service_stores_the_first_reply_in_working_hours(app, session, asked, replied):
    area = make_locality(session)
    team = make_team(session, [area])
    person = serve(session, make_user(session), area)
    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    with app.app_context():
        make_consent(session, person, Purpose.MESSAGING)
        with time_machine.travel(asked, tick=False):
            sent = messaging.start_thread(session, person=person, subject="A question",
                                          body="Hello", by=person)
        thread = session.get(MessageThread, sent.message.thread_id)
        thread_id = thread.id
        with time_machine.travel(replied, tick=False):
            messaging.reply(session, thread=thread, body="Hello back", by=worker)
        with time_machine.travel(replied + timedelta(hours=1), tick=False):
            messaging.reply(session, thread=thread, body="Thanks", by=person)
        with time_machine.travel(replied + timedelta(days=2), tick=False):
            messaging.reply(session, thread=thread, body="A second answer", by=worker)
    stored = session.execute(select(
        MessageThread.first_reply_due_at, MessageThread.first_reply_at,
        MessageThread.reply_working_hours).where(MessageThread.id == thread_id)).one()
    hours = team_hours(team.slug)
    assert _utc(stored.first_reply_at) == replied
    assert stored.reply_working_hours == working_time(hours, asked, replied).total_seconds() / 3600
    assert _utc(stored.first_reply_due_at) == due_after(hours, hours.reply_working_days, asked)


def test_search_gap_counts_equal_the_old_grouping_of_every_row(session):
    rng = random.Random(4)  # nosec B311 # fixed cases
    typed = ["Men's group", "men\u2019s  group!", " MEN'S GROUP", "night sitting", "", "swim",
             "Swim.", "\uff33wim"]  # the last in full-width letters
    places = [{"near_locality": "brixham"}, {"localities": ["torquay", "brixham"]}, {},
              {"free": True}, {"near_locality": "torquay", "localities": ["brixham"]}]
    for _ in range(120):
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.uniform(0, 130 * 24 * 60))
        with time_machine.travel(at, tick=False):
            note_gap(session, words=rng.choice(typed), filters=rng.choice(places))
    session.flush()
    old: dict[tuple[date, str, str], int] = defaultdict(int)
    for query, filters, created in session.execute(
            select(SearchGap.query, SearchGap.filters, SearchGap.created_at)):
        created = _utc(created)
        old[(date(created.year, created.month, 1), gap_locality(filters),
             normalise_words(query.strip().lower()))] += 1
    stored = {(row.month, row.locality, row.words): row.count
              for row in session.scalars(select(SearchGapCount))}
    assert stored == dict(old)
    assert stored[(date(2026, 2, 1), "brixham", "men's group")] > 0


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_fills_in_every_existing_row(backend, tmp_path):
    """Rows written before migration 0017 get what the figures used to work out."""
    with throwaway_database(backend, tmp_path) as url:
        engine = create_engine(url)
        try:
            migrate.upgrade(engine, "0016_journey_resume")
            sent, contacted = AWKWARD[1]
            asked, replied = AWKWARD[6]
            with engine.begin() as c:
                c.execute(text("INSERT INTO care_team (id, slug, name, created_at, updated_at) "
                               "VALUES (1, 'team-a', 'A', :t, :t)"), {"t": sent})
                c.execute(text("INSERT INTO user_account (id, email, display_name, password_hash, "
                               "created_at, updated_at, is_active, captions_on) VALUES "
                               "(1, 'p@example.test', 'P', 'x', :t, :t, true, false)"), {"t": sent})
                c.execute(text(
                    "INSERT INTO carer_referral (id, reference, year, sequence, answers, urgent, "
                    "team_id, status, created_at, updated_at) VALUES (1, 'CR-1', 2026, 1, 'x', "
                    "false, 1, 'completed', :sent, :sent), (2, 'CR-2', 2026, 2, 'x', false, 1, "
                    "'received', :sent, :sent)"), {"sent": sent})
                c.execute(text(
                    "INSERT INTO carer_referral_update (referral_id, status, created_at) VALUES "
                    "(1, 'being_looked_at', :a), (1, 'contact_made', :b), (1, 'completed', :c)"),
                    {"a": sent + timedelta(hours=1), "b": contacted, "c": contacted + timedelta(days=5)})
                c.execute(text(
                    "INSERT INTO message_thread (id, person_id, team_id, subject, status, waiting_on, "
                    "urgent, created_at, last_message_at) VALUES (1, 1, 1, 'x', 'open', 'person', "
                    "false, :a, :a), (2, 1, 1, 'x', 'open', 'team', false, :a, :a)"), {"a": asked})
                c.execute(text(
                    "INSERT INTO message (thread_id, kind, body, cards, created_at) VALUES "
                    "(1, 'person', 'x', '[]', :a), (1, 'auto', 'x', '[]', :a), "
                    "(1, 'team', 'x', '[]', :r), (1, 'team', 'x', '[]', :later), "
                    "(2, 'person', 'x', '[]', :a)"),
                    {"a": asked, "r": replied, "later": replied + timedelta(days=1)})
                c.execute(text(
                    "INSERT INTO search_gap (query, filters, created_at) VALUES "
                    "('Men''s Group', '{\"near_locality\": \"brixham\"}', :t), "
                    "('men\u2019s group', '{\"localities\": [\"brixham\"]}', :t), "
                    "('', '{\"free\": true}', :t)"), {"t": sent})
            migrate.upgrade(engine)
            with engine.connect() as c:
                referrals = c.execute(text(
                    "SELECT contact_made_at, contact_days, contact_working_days, reached_at "
                    "FROM carer_referral ORDER BY id")).all()
                threads = c.execute(text(
                    "SELECT first_reply_due_at, first_reply_at, reply_working_hours "
                    "FROM message_thread ORDER BY id")).all()
                counts = {tuple(row[:3]): row[3] for row in c.execute(text(
                    "SELECT month, locality, words, count FROM search_gap_count"))}
                referral_counts = c.execute(text(
                    "SELECT locality_id, urgent, contact_tenths, within_target, reached, "
                    "completed, count FROM figures_referral_count ORDER BY contact_tenths")).all()
                thread_days = c.execute(text(
                    "SELECT team_id, threads, urgent FROM figures_thread_day")).all()
                replies = c.execute(text(
                    "SELECT team_id, reply_tenths, late, count FROM figures_reply_count")).all()
                by_locality = c.execute(text(
                    "SELECT locality, count FROM search_gap_locality_count ORDER BY locality")).all()
        finally:
            engine.dispose()
    hours = team_hours("team-a")  # not in teams.json: the default hours
    first, untouched = referrals
    assert _as_utc(first.contact_made_at) == contacted
    assert first.contact_days == pytest.approx((contacted - sent).total_seconds() / 86400)
    assert first.contact_working_days == working_days_to(hours, sent, contacted) == 1
    assert _as_utc(first.reached_at) == contacted + timedelta(days=5)
    assert tuple(untouched) == (None, None, None, None)
    answered, waiting = threads
    assert _as_utc(answered.first_reply_at) == replied
    assert answered.reply_working_hours == pytest.approx(
        working_time(hours, asked, replied).total_seconds() / 3600)
    assert _as_utc(answered.first_reply_due_at) == hours.reply_due(asked)
    assert waiting.first_reply_at is None and _as_utc(waiting.first_reply_due_at) == hours.reply_due(asked)
    month = sent.date().replace(day=1)
    assert {(str(m)[:10], loc, w): n for (m, loc, w), n in counts.items()} == {
        (month.isoformat(), "brixham", "men's group"): 2, (month.isoformat(), "", ""): 1}
    # The counts the pages sum, from the same records.
    days = round((contacted - sent).total_seconds() / 86400 * 10)
    assert [tuple(r) for r in referral_counts] == [(0, False, -1, False, False, False, 1),
                                                   (0, False, days, True, True, True, 1)]
    assert [tuple(r) for r in thread_days] == [(1, 2, 0)]
    hours_taken = round(working_time(hours, asked, replied).total_seconds() / 3600 * 10)
    assert [tuple(r) for r in replies] == [(1, hours_taken, replied > hours.reply_due(asked), 1)]
    assert [tuple(r) for r in by_locality] == [("", 1), ("brixham", 2)]


def _as_utc(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return _utc(value)


def test_the_counts_stay_equal_to_the_records_whatever_the_order_of_changes(app, session):
    """Referrals moved through the carers service in a random order (back and forth, urgent
    and not, two localities and the triage queue): the figures summed from the counts equal
    the same figures worked out from every record."""
    from portal.carers.progress import CONTACT_TARGET_DAYS, URGENT_CONTACT_TARGET_DAYS, counted
    from portal.figures import queries
    from portal.figures.filters import Filters
    from portal.figures.numbers import percentile

    rng = random.Random(11)  # nosec B311 # fixed cases
    here, there = make_locality(session), make_locality(session)
    team = make_team(session, [here, there])
    worker = make_user(session, Role.CARE_WORKER, teams=[team])
    statuses = list(ReferralStatus)
    made = []
    with app.app_context():
        for n in range(40):
            sent = local(2026, 1, 5, 9, 0) + timedelta(hours=rng.uniform(0, 80 * 24))
            referral = CarerReferral(
                reference=f"CR-2026-{n + 1:06d}", year=2026, sequence=n + 1, answers={},
                urgent=rng.random() < 0.3, team_id=team.id,
                locality_id=rng.choice([here.id, there.id, None]), created_at=sent,
                updated_at=sent)
            session.add(referral)
            session.flush()
            counted(session, referral)
            at = sent
            for _ in range(rng.randint(0, 5)):
                at += timedelta(hours=rng.uniform(1, 150))
                with time_machine.travel(at, tick=False):
                    carers.change_status(session, referral=referral, status=rng.choice(statuses),
                                         note=None, by=worker)
            made.append(referral)
    period = Filters(None, date(2026, 1, 1), date(2026, 6, 1))
    found = {row.locality.id if row.locality else None: row
             for row in queries.carer_referrals(session, period).localities}
    for locality_id in (here.id, there.id, None):
        mine = [r for r in made if r.locality_id == locality_id]
        row = found[locality_id]
        assert row.total == len(mine)
        assert row.urgent == sum(r.urgent for r in mine)
        assert row.completed == sum(r.status is ReferralStatus.COMPLETED for r in mine)
        assert row.reached == sum(r.reached_at is not None for r in mine)
        assert row.within_target == sum(
            r.contact_working_days is not None and r.contact_working_days
            <= (URGENT_CONTACT_TARGET_DAYS if r.urgent else CONTACT_TARGET_DAYS) for r in mine)
        days = [r.contact_days for r in mine if r.contact_days is not None]
        assert row.contact.count == len(days)
        for shown, exact in ((row.contact.median, percentile(days, 0.5)),
                             (row.contact.p90, percentile(days, 0.9))):
            assert (shown is None) == (exact is None)
            if exact is not None:
                assert shown == round(exact, 1)  # what the page shows, to one decimal place


def test_within_target_is_the_queues_configured_target(app):
    """The figures count "within target" by the contact target a council sets for the queue
    (CARER_CONTACT_DAYS_*), not a second copy of the defaults."""
    from portal.carers.progress import figures_key

    referral = CarerReferral(urgent=False, created_at=local(2026, 1, 5, 9, 0),
                             contact_days=3.0, contact_working_days=3, locality_id=None)
    urgent = CarerReferral(urgent=True, created_at=local(2026, 1, 5, 9, 0),
                           contact_days=1.0, contact_working_days=1, locality_id=None)
    with app.app_context():
        assert figures_key(referral)["within_target"]  # 3 working days, the default 5
        assert not figures_key(urgent)["within_target"]  # next day, the default same day
        app.config.update(CARER_CONTACT_DAYS_ROUTINE=2, CARER_CONTACT_DAYS_URGENT=1)
        try:
            assert not figures_key(referral)["within_target"]
            assert figures_key(urgent)["within_target"]
        finally:
            app.config.update(CARER_CONTACT_DAYS_ROUTINE=5, CARER_CONTACT_DAYS_URGENT=0)
