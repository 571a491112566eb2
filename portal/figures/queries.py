"""The figures' numbers, counted by the database (GROUP BY), never a person's record.

Each function returns raw counts for one page; ``presenters`` hides small cells. What a figure
needs per referral, thread or search (first contact, first reply and their working time, the
words and locality of a search) is stored when it happens (docs/adr/0009), so a page reads
sums and, for medians and 90th percentiles, two ranked rows a group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User, UserRole, team_locality
from portal.authz import Role
from portal.circles.models import CarerGrant, Purpose, TeamConsent
from portal.clock import today, utcnow
from portal.content.models import ContentFeedback, ContentItem, ContentVersion, VersionStatus
from portal.directory.models import Organisation, Service, TaxonomyTerm, service_locality, service_term
from portal.directory.queries import is_published
from portal.figures.filters import Filters, week_of
from portal.figures.models import NOT_YET, ReferralCount, ReplyCount, ThreadDay
from portal.messaging.hours import team_hours
from portal.messaging.models import MessageThread
from portal.moderation.policies import stale_before
from portal.places.models import Locality
from portal.plans.models import Plan, PlanSection
from portal.search.documents import ATTENDANCE_CODES
from portal.search.models import SearchGapCount, SearchGapLocalityCount, SearchGapWords

REVIEW_WINDOW = timedelta(days=90)
NO_LOCALITY = None


def _localities(session: Session, filters: Filters) -> list[Locality]:
    if filters.locality is not None:
        return [filters.locality]
    return list(session.scalars(select(Locality).order_by(Locality.name, Locality.id)))


# Percentiles -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Spread:
    """How many values a group has, and their median and 90th percentile (nearest rank)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


def spread_of(histogram: dict[int, int]) -> Spread:
    """The nearest-rank median and 90th percentile (``numbers.percentile``'s ranks: ceil(n/2),
    ceil(9n/10)) of values counted in tenths (value x 10 -> how many)."""
    n = sum(histogram.values())
    if n <= 0:
        return Spread()
    ranks = {"median": (n + 1) // 2, "p90": (9 * n + 9) // 10}
    found: dict[str, float] = {}
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        for name, rank in ranks.items():
            if name not in found and seen >= rank:
                found[name] = value / 10
    return Spread(n, found.get("median"), found.get("p90"))


def _merge(into: dict[int, int], value: int, n: int) -> None:
    into[value] = into.get(value, 0) + n


# Carer's assessments ---------------------------------------------------------------------

@dataclass
class LocalityReferrals:
    locality: Locality | None
    per_month: dict[date, int] = field(default_factory=dict)
    urgent: int = 0
    reached: int = 0
    completed: int = 0
    contact: Spread = Spread()  # calendar days from sending to first contact (tenths)
    within_target: int = 0
    days: dict[int, int] = field(default_factory=dict)  # tenths of a day -> referrals

    @property
    def total(self) -> int:
        return sum(self.per_month.values())


@dataclass
class Referrals:
    localities: list[LocalityReferrals]
    contact: Spread  # over every locality


def carer_referrals(session: Session, filters: Filters) -> Referrals:
    """Summed from ``figures_referral_count`` (kept by ``portal.carers.progress``)."""
    rows: dict[int | None, LocalityReferrals] = {
        loc.id: LocalityReferrals(loc) for loc in _localities(session, filters)}
    where = and_(ReferralCount.month >= filters.first_month,
                 ReferralCount.month <= filters.last_month)
    if filters.locality is not None:
        where = and_(where, ReferralCount.locality_id == filters.locality.id)
    def total_if(flag: Any) -> Any:
        return func.sum(case((flag.is_(True), ReferralCount.count), else_=0))

    for lid, month, n, urgent, within, reached, completed in session.execute(
            select(ReferralCount.locality_id, ReferralCount.month, func.sum(ReferralCount.count),
                   total_if(ReferralCount.urgent), total_if(ReferralCount.within_target),
                   total_if(ReferralCount.reached), total_if(ReferralCount.completed))
            .where(where).group_by(ReferralCount.locality_id, ReferralCount.month)):
        locality_id = int(lid) or None
        row = rows.get(locality_id) or rows.setdefault(locality_id, LocalityReferrals(None))
        when = _as_date(month)
        row.per_month[when] = row.per_month.get(when, 0) + int(n or 0)
        row.urgent += int(urgent or 0)
        row.within_target += int(within or 0)
        row.reached += int(reached or 0)
        row.completed += int(completed or 0)
    everyone: dict[int, int] = {}
    for lid, contact, n in session.execute(
            select(ReferralCount.locality_id, ReferralCount.contact_tenths,
                   func.sum(ReferralCount.count))
            .where(where, ReferralCount.contact_tenths != NOT_YET)
            .group_by(ReferralCount.locality_id, ReferralCount.contact_tenths)):
        if n:
            _merge(rows[int(lid) or None].days, int(contact), int(n))
            _merge(everyone, int(contact), int(n))
    for row in rows.values():
        row.per_month = {m: n for m, n in row.per_month.items() if n}
        row.contact = spread_of(row.days)
    return Referrals(list(rows.values()), spread_of(everyone))


# Messaging -------------------------------------------------------------------------------

@dataclass
class TeamThreads:
    team: CareTeam
    per_week: dict[date, int] = field(default_factory=dict)
    urgent: int = 0
    reply: Spread = Spread()  # working hours to the team's first reply (tenths)
    overdue: int = 0
    hours: dict[int, int] = field(default_factory=dict)  # tenths of an hour -> threads

    @property
    def total(self) -> int:
        return sum(self.per_week.values())

    @property
    def promise_days(self) -> int:
        return team_hours(self.team.slug).reply_working_days


@dataclass
class Threads:
    teams: list[TeamThreads]
    reply: Spread  # over every team


def message_threads(session: Session, filters: Filters) -> Threads:
    """Summed from ``figures_thread_day`` and ``figures_reply_count`` (kept by
    ``portal.messaging.services``); threads still waiting for a first reply are few, and are
    read from their own index to see which are past the promise now."""
    teams = select(CareTeam).order_by(CareTeam.name, CareTeam.id)
    if filters.locality is not None:
        teams = teams.where(CareTeam.id.in_(select(team_locality.c.team_id).where(
            team_locality.c.locality_id == filters.locality.id)))
    rows = {team.id: TeamThreads(team) for team in session.scalars(teams)}
    for team_id, day, n, urgent in session.execute(
            select(ThreadDay.team_id, ThreadDay.day, ThreadDay.threads, ThreadDay.urgent)
            .where(ThreadDay.day >= filters.first_month, ThreadDay.day < filters.end.date(),
                   ThreadDay.team_id.in_(list(rows)))):
        row = rows[team_id]
        week = week_of(_as_date(day))
        if n:
            row.per_week[week] = row.per_week.get(week, 0) + int(n)
        row.urgent += int(urgent)
    everyone: dict[int, int] = {}
    for team_id, reply, late, n in session.execute(
            select(ReplyCount.team_id, ReplyCount.reply_tenths, ReplyCount.late, ReplyCount.count)
            .where(ReplyCount.month >= filters.first_month, ReplyCount.month <= filters.last_month,
                   ReplyCount.team_id.in_(list(rows)), ReplyCount.count != 0)):
        row = rows[team_id]
        _merge(row.hours, reply, n)
        _merge(everyone, reply, n)
        row.overdue += n if late else 0
    waiting = and_(MessageThread.first_reply_at.is_(None),
                   MessageThread.created_at >= filters.start, MessageThread.created_at < filters.end,
                   MessageThread.team_id.in_(list(rows)))
    for team_id, overdue in session.execute(
            select(MessageThread.team_id, func.count()).where(
                waiting, MessageThread.first_reply_due_at < utcnow())
            .group_by(MessageThread.team_id)):
        rows[team_id].overdue += int(overdue)
    for row in rows.values():
        row.reply = spread_of(row.hours)
    return Threads(list(rows.values()), spread_of(everyone))


# Community assets ------------------------------------------------------------------------

@dataclass
class Gaps:
    per_locality: dict[str | None, dict[date, int]]      # locality slug -> month -> count
    words: dict[tuple[str, str | None], dict[date, int]]  # (normalised words, slug) -> month


def search_gaps(session: Session, filters: Filters, *, at_least: int = 1) -> Gaps:
    """From the counts kept as searches are recorded (``portal.search.gaps``). ``words``
    holds only the words searched ``at_least`` times in the period (in every locality)."""
    per_locality: dict[str | None, dict[date, int]] = defaultdict(dict)
    in_period = and_(SearchGapLocalityCount.month >= filters.first_month,
                     SearchGapLocalityCount.month <= filters.last_month)
    if filters.locality is not None:
        in_period = and_(in_period, SearchGapLocalityCount.locality == filters.locality.slug)
    for slug, when, n in session.execute(
            select(SearchGapLocalityCount.locality, SearchGapLocalityCount.month,
                   SearchGapLocalityCount.count).where(in_period)):
        if n:
            per_locality[slug or None][_as_date(when)] = int(n)
    where = and_(SearchGapCount.month >= filters.first_month,
                 SearchGapCount.month <= filters.last_month)
    if filters.locality is not None:
        where = and_(where, SearchGapCount.locality == filters.locality.slug)
    # Words searched that often ever (few): only those can have been in the period.
    candidates = select(SearchGapWords.words).where(SearchGapWords.total >= at_least)
    words: dict[tuple[str, str | None], dict[date, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for text, slug, when, n in session.execute(
            select(SearchGapCount.words, SearchGapCount.locality, SearchGapCount.month,
                   SearchGapCount.count)
            .where(where, SearchGapCount.words.in_(candidates))):
        words[(str(text), slug or None)][_as_date(when)] = int(n)
        totals[str(text)] += int(n)
    return Gaps(dict(per_locality), {key: cells for key, cells in words.items()
                                     if totals[key[0]] >= at_least})


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Freshness:
    label: str
    listings: int
    checked: int  # checked in the last 12 months


def listing_freshness(session: Session, filters: Filters) -> tuple[list[Freshness], list[Freshness]]:
    """Per locality, and per organisation (in the chosen locality, if one)."""
    cutoff = stale_before()
    fresh = func.sum(case((Service.last_checked_on >= cutoff, 1), else_=0))
    localities = {loc.id: loc for loc in _localities(session, filters)}
    by_locality = dict((lid, (int(n), int(f or 0))) for lid, n, f in session.execute(
        select(service_locality.c.locality_id, func.count(func.distinct(Service.id)), fresh)
        .join(service_locality, service_locality.c.service_id == Service.id)
        .where(is_published(), service_locality.c.locality_id.in_(list(localities)))
        .group_by(service_locality.c.locality_id)).all())
    per_locality = [Freshness(loc.name, *by_locality.get(lid, (0, 0))) for lid, loc in localities.items()]
    organisations = (select(Organisation.name, func.count(Service.id), fresh)
                     .join(Service, Service.organisation_id == Organisation.id).where(is_published())
                     .group_by(Organisation.id, Organisation.name).order_by(Organisation.name))
    if filters.locality is not None:
        organisations = organisations.where(Service.id.in_(
            select(service_locality.c.service_id)
            .where(service_locality.c.locality_id == filters.locality.id)))
    per_organisation = [Freshness(name, int(n), int(f or 0))
                        for name, n, f in session.execute(organisations)]
    return per_locality, per_organisation


@dataclass(frozen=True)
class NeedCoverage:
    needs: list[tuple[str, str]]  # (term id, name): top-level needs
    localities: list[Locality]
    services: dict[tuple[str, int], int]  # (need id, locality id) -> published services


def need_coverage(session: Session, filters: Filters) -> NeedCoverage:
    """Published services per top-level need (a term or its parent) and locality."""
    needs = [(tid, name) for tid, name, code in session.execute(
        select(TaxonomyTerm.id, TaxonomyTerm.name, TaxonomyTerm.code)
        .where(TaxonomyTerm.parent_id.is_(None)).order_by(TaxonomyTerm.name))
        if code not in ATTENDANCE_CODES]
    localities = _localities(session, filters)
    need = func.coalesce(TaxonomyTerm.parent_id, TaxonomyTerm.id)
    services = {(str(nid), int(lid)): int(n) for nid, lid, n in session.execute(
        select(need, service_locality.c.locality_id, func.count(func.distinct(Service.id)))
        .join(service_term, service_term.c.service_id == Service.id)
        .join(TaxonomyTerm, TaxonomyTerm.id == service_term.c.term_id)
        .join(service_locality, service_locality.c.service_id == Service.id)
        .where(is_published(), service_locality.c.locality_id.in_([loc.id for loc in localities]))
        .group_by(need, service_locality.c.locality_id))}
    return NeedCoverage(needs, localities, services)


# Guidance --------------------------------------------------------------------------------

@dataclass
class GuidanceItem:
    item_id: int
    title: str
    state: str = "draft"  # live | under_review | withdrawn | draft
    review_due: date | None = None
    responses: int = 0
    helpful: int = 0


def guidance(session: Session, filters: Filters, on: date | None = None) -> list[GuidanceItem]:
    day = on or today()
    statuses: dict[int, dict[VersionStatus, Any]] = defaultdict(dict)
    for item_id, status, due in session.execute(
            select(ContentVersion.item_id, ContentVersion.status, func.min(ContentVersion.review_due))
            .group_by(ContentVersion.item_id, ContentVersion.status)):
        statuses[item_id][VersionStatus(status)] = due
    latest = (select(ContentVersion.item_id, func.max(ContentVersion.number).label("number"))
              .group_by(ContentVersion.item_id).subquery())
    titles = dict(session.execute(
        select(ContentVersion.item_id, ContentVersion.title)
        .join(latest, and_(latest.c.item_id == ContentVersion.item_id,
                           latest.c.number == ContentVersion.number))).all())
    items = {item_id: GuidanceItem(item_id, titles.get(item_id, slug))
             for item_id, slug in session.execute(select(ContentItem.id, ContentItem.slug))}
    for item_id, item in items.items():
        found = statuses.get(item_id, {})
        if VersionStatus.APPROVED in found:
            item.review_due = found[VersionStatus.APPROVED]
            overdue = item.review_due is not None and item.review_due < day
            item.state = "under_review" if overdue or VersionStatus.SUBMITTED in found else "live"
        elif VersionStatus.WITHDRAWN in found:
            item.state = "withdrawn"
    for item_id, n, yes in session.execute(
            select(ContentFeedback.item_id, func.count(),
                   func.sum(case((ContentFeedback.helpful.is_(True), 1), else_=0)))
            .where(ContentFeedback.created_at >= filters.start, ContentFeedback.created_at < filters.end)
            .group_by(ContentFeedback.item_id)):
        if item_id in items:
            items[item_id].responses, items[item_id].helpful = int(n), int(yes or 0)
    return sorted(items.values(), key=lambda item: (item.title.casefold(), item.item_id))


def reviews_due(items: list[GuidanceItem], on: date | None = None) -> list[GuidanceItem]:
    day = on or today()
    return sorted((item for item in items if item.review_due is not None
                   and item.state != "withdrawn" and item.review_due <= day + REVIEW_WINDOW),
                  key=lambda item: (item.review_due or day, item.title))


# Use -------------------------------------------------------------------------------------

@dataclass
class LocalityUse:
    locality: Locality | None
    registered: int = 0
    new: int = 0
    plans_written: int = 0
    plans_shared: int = 0
    carers_acting: int = 0


def use(session: Session, filters: Filters) -> list[LocalityUse]:
    rows: dict[int | None, LocalityUse] = {loc.id: LocalityUse(loc)
                                           for loc in _localities(session, filters)}
    if filters.locality is None:
        rows[NO_LOCALITY] = LocalityUse(None)
    people = exists().where(UserRole.user_id == User.id,
                            UserRole.role.in_([Role.RESIDENT, Role.CARER]))
    where: list[Any] = [people, User.created_at < filters.end]
    if filters.locality is not None:
        where.append(User.locality_id == filters.locality.id)
    new = func.sum(case((User.created_at >= filters.start, 1), else_=0))
    for lid, n, n_new in session.execute(
            select(User.locality_id, func.count(), new).where(*where).group_by(User.locality_id)):
        rows[lid].registered, rows[lid].new = int(n), int(n_new or 0)
    now, day = utcnow(), today()
    grant_active = and_(CarerGrant.revoked_at.is_(None), CarerGrant.starts_at <= now,
                        or_(CarerGrant.ends_on.is_(None), CarerGrant.ends_on >= day))
    written = exists().where(PlanSection.plan_id == Plan.id, PlanSection.number > 0)
    shared = or_(
        exists().where(TeamConsent.person_id == Plan.person_id, TeamConsent.purpose == Purpose.PLAN,
                       TeamConsent.withdrawn_at.is_(None)),
        exists().where(CarerGrant.person_id == Plan.person_id, grant_active,
                       cast(CarerGrant.scopes, String).contains("plan:")))
    plan_where: list[Any] = [written]
    if filters.locality is not None:
        plan_where.append(User.locality_id == filters.locality.id)
    for lid, n, n_shared in session.execute(
            select(User.locality_id, func.count(Plan.id), func.sum(case((shared, 1), else_=0)))
            .join(User, User.id == Plan.person_id).where(*plan_where).group_by(User.locality_id)):
        rows[lid].plans_written, rows[lid].plans_shared = int(n), int(n_shared or 0)
    grant_where: list[Any] = [grant_active]
    if filters.locality is not None:
        grant_where.append(User.locality_id == filters.locality.id)
    for lid, n in session.execute(
            select(User.locality_id, func.count(func.distinct(CarerGrant.carer_id)))
            .join(User, User.id == CarerGrant.person_id).where(*grant_where)
            .group_by(User.locality_id)):
        rows[lid].carers_acting = int(n)
    return list(rows.values())



# Experience pulse ------------------------------------------------------------------------

@dataclass
class PulseAnswers:
    quarters: list[date]
    # locality id (None: not known) -> quarter -> [answers, agreeing]
    per_locality: dict[int | None, dict[date, list[int]]]
    statements: dict[str, dict[int, int]]  # statement -> answer (1 to 5) -> how many
    localities: list[Locality]


def quarters_of(filters: Filters) -> list[date]:
    from portal.pulse.statements import quarter_of

    found, quarter = [], quarter_of(filters.first_month)
    while quarter <= filters.last_month:
        found.append(quarter)
        quarter = date(quarter.year + (quarter.month + 3 > 12), (quarter.month + 2) % 12 + 1, 1)
    return found


def pulse(session: Session, filters: Filters) -> PulseAnswers:
    """Answers to the "I" statements (stored without anyone's identity) in the quarters that
    overlap the period."""
    from portal.pulse.models import PulseAnswer
    from portal.pulse.statements import AGREE

    quarters = quarters_of(filters)
    where = and_(PulseAnswer.quarter >= quarters[0], PulseAnswer.quarter <= filters.last_month)
    if filters.locality is not None:
        where = and_(where, PulseAnswer.locality_id == filters.locality.id)
    agree = func.sum(case((PulseAnswer.answer.in_(AGREE), 1), else_=0))
    per_locality: dict[int | None, dict[date, list[int]]] = defaultdict(dict)
    for lid, quarter, n, n_agree in session.execute(
            select(PulseAnswer.locality_id, PulseAnswer.quarter, func.count(), agree)
            .where(where).group_by(PulseAnswer.locality_id, PulseAnswer.quarter)):
        per_locality[lid][_as_date(quarter)] = [int(n), int(n_agree or 0)]
    statements: dict[str, dict[int, int]] = defaultdict(dict)
    for statement, answer, n in session.execute(
            select(PulseAnswer.statement, PulseAnswer.answer, func.count())
            .where(where).group_by(PulseAnswer.statement, PulseAnswer.answer)):
        statements[str(statement)][int(answer)] = int(n)
    return PulseAnswers(quarters, dict(per_locality), dict(statements),
                        _localities(session, filters))
