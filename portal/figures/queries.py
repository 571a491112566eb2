"""The figures' numbers, counted by the database (GROUP BY), never a person's record.

Each function returns raw counts for one page; ``presenters`` hides small cells. Where a figure
needs a time per referral or thread (medians, working hours), one row per referral or thread
comes from an aggregate (first contact, first reply) and only the times are read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, extract, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import CareTeam, User, UserRole, team_locality
from portal.authz import Role
from portal.carers.models import CarerReferral, ReferralStatus, ReferralUpdate
from portal.circles.models import CarerGrant, Purpose, TeamConsent
from portal.clock import today, utcnow
from portal.content.models import ContentFeedback, ContentItem, ContentVersion, VersionStatus
from portal.directory.models import Organisation, Service, TaxonomyTerm, service_locality, service_term
from portal.directory.queries import is_published
from portal.figures.filters import Filters, week_of
from portal.figures.numbers import WorkingClock, aware
from portal.messaging.hours import team_hours
from portal.messaging.models import Message, MessageKind, MessageThread
from portal.moderation.policies import stale_before
from portal.places.models import Locality
from portal.plans.models import Plan, PlanSection
from portal.search.documents import ATTENDANCE_CODES
from portal.search.models import SearchGap

CONTACTED = (ReferralStatus.CONTACT_MADE, ReferralStatus.ASSESSMENT_BOOKED, ReferralStatus.COMPLETED)
REACHED = (ReferralStatus.ASSESSMENT_BOOKED, ReferralStatus.COMPLETED)
CONTACT_TARGET_DAYS = 5         # "within 5 working days" (the referral's sent page)
URGENT_CONTACT_TARGET_DAYS = 1  # "today, or on the next working day"
REVIEW_WINDOW = timedelta(days=90)
NO_LOCALITY = None


def _month(column: Any) -> tuple[Any, Any]:
    return extract("year", column), extract("month", column)


def _as_month(year: Any, month: Any) -> date:
    return date(int(year), int(month), 1)


def _localities(session: Session, filters: Filters) -> list[Locality]:
    if filters.locality is not None:
        return [filters.locality]
    return list(session.scalars(select(Locality).order_by(Locality.name, Locality.id)))


# Carer's assessments ---------------------------------------------------------------------

@dataclass
class LocalityReferrals:
    locality: Locality | None
    per_month: dict[date, int] = field(default_factory=dict)
    urgent: int = 0
    reached: int = 0
    completed: int = 0
    contact_days: list[float] = field(default_factory=list)
    within_target: int = 0

    @property
    def total(self) -> int:
        return sum(self.per_month.values())


def carer_referrals(session: Session, filters: Filters) -> list[LocalityReferrals]:
    in_period = and_(CarerReferral.created_at >= filters.start, CarerReferral.created_at < filters.end)
    if filters.locality is not None:
        in_period = and_(in_period, CarerReferral.locality_id == filters.locality.id)
    rows: dict[int | None, LocalityReferrals] = {
        loc.id: LocalityReferrals(loc) for loc in _localities(session, filters)}
    year, month = _month(CarerReferral.created_at)
    for locality_id, y, m, n in session.execute(
            select(CarerReferral.locality_id, year, month, func.count())
            .where(in_period).group_by(CarerReferral.locality_id, year, month)):
        row = rows.get(locality_id) or rows.setdefault(locality_id, LocalityReferrals(None))
        row.per_month[_as_month(y, m)] = int(n)
    progress = (select(ReferralUpdate.referral_id,
                       func.min(case((ReferralUpdate.status.in_(CONTACTED), ReferralUpdate.created_at))
                                ).label("contacted"),
                       func.max(case((ReferralUpdate.status.in_(REACHED), 1), else_=0)).label("reached"),
                       func.max(case((ReferralUpdate.status == ReferralStatus.COMPLETED, 1), else_=0)
                                ).label("completed"))
                .group_by(ReferralUpdate.referral_id).subquery())
    reached = func.coalesce(progress.c.reached, 0)
    for locality_id, urgent, n_reached, n_completed in session.execute(
            select(CarerReferral.locality_id,
                   func.sum(case((CarerReferral.urgent.is_(True), 1), else_=0)),
                   func.sum(case((or_(reached == 1, CarerReferral.status.in_(REACHED)), 1), else_=0)),
                   func.sum(case((CarerReferral.status == ReferralStatus.COMPLETED, 1), else_=0)))
            .outerjoin(progress, progress.c.referral_id == CarerReferral.id)
            .where(in_period).group_by(CarerReferral.locality_id)):
        row = rows[locality_id]
        row.urgent, row.reached, row.completed = int(urgent or 0), int(n_reached or 0), int(n_completed or 0)
    slugs = dict(session.execute(select(CareTeam.id, CareTeam.slug)).all())
    since = filters.start.date() - timedelta(days=7)
    clocks = {team_id: WorkingClock(team_hours(slug), since) for team_id, slug in slugs.items()}
    default = WorkingClock(team_hours("default"), since)
    for locality_id, team_id, urgent, sent, contacted in session.execute(
            select(CarerReferral.locality_id, CarerReferral.team_id, CarerReferral.urgent,
                   CarerReferral.created_at, progress.c.contacted)
            .join(progress, progress.c.referral_id == CarerReferral.id)
            .where(in_period, progress.c.contacted.is_not(None))):
        row = rows[locality_id]
        row.contact_days.append((aware(contacted) - aware(sent)).total_seconds() / 86400)
        target = URGENT_CONTACT_TARGET_DAYS if urgent else CONTACT_TARGET_DAYS
        row.within_target += aware(contacted) <= clocks.get(team_id, default).due_after(target, sent)
    return list(rows.values())


# Messaging -------------------------------------------------------------------------------

@dataclass
class TeamThreads:
    team: CareTeam
    per_week: dict[date, int] = field(default_factory=dict)
    urgent: int = 0
    reply_hours: list[float] = field(default_factory=list)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.per_week.values())

    @property
    def promise_days(self) -> int:
        return team_hours(self.team.slug).reply_working_days


def message_threads(session: Session, filters: Filters) -> list[TeamThreads]:
    teams = select(CareTeam).order_by(CareTeam.name, CareTeam.id)
    if filters.locality is not None:
        teams = teams.where(CareTeam.id.in_(select(team_locality.c.team_id).where(
            team_locality.c.locality_id == filters.locality.id)))
    rows = {team.id: TeamThreads(team) for team in session.scalars(teams)}
    in_period = and_(MessageThread.created_at >= filters.start, MessageThread.created_at < filters.end,
                     MessageThread.team_id.in_(list(rows)))
    day = func.date(MessageThread.created_at)
    for team_id, started, n, urgent in session.execute(
            select(MessageThread.team_id, day, func.count(),
                   func.sum(case((MessageThread.urgent.is_(True), 1), else_=0)))
            .where(in_period).group_by(MessageThread.team_id, day)):
        started_on = started if isinstance(started, date) else date.fromisoformat(str(started))
        row = rows[team_id]
        week = week_of(started_on)
        row.per_week[week] = row.per_week.get(week, 0) + int(n)
        row.urgent += int(urgent or 0)
    asked = (select(Message.thread_id, func.min(Message.created_at).label("asked"))
             .join(MessageThread, MessageThread.id == Message.thread_id)
             .where(in_period, Message.kind == MessageKind.PERSON)
             .group_by(Message.thread_id).subquery())
    replied = (select(Message.thread_id, func.min(Message.created_at).label("replied"))
               .join(asked, asked.c.thread_id == Message.thread_id)
               .where(Message.kind == MessageKind.TEAM, Message.created_at >= asked.c.asked)
               .group_by(Message.thread_id).subquery())
    now = utcnow()
    since = filters.start.date() - timedelta(days=7)
    clocks = {team_id: WorkingClock(team_hours(row.team.slug), since)
              for team_id, row in rows.items()}
    for team_id, asked_at, replied_at in session.execute(
            select(MessageThread.team_id, asked.c.asked, replied.c.replied)
            .join(asked, asked.c.thread_id == MessageThread.id)
            .outerjoin(replied, replied.c.thread_id == MessageThread.id)):
        row = rows[team_id]
        clock = clocks[team_id]
        due = clock.due_after(clock.hours.reply_working_days, asked_at)
        if replied_at is not None:
            row.reply_hours.append(clock.working_time(asked_at, replied_at).total_seconds() / 3600)
        row.overdue += (aware(replied_at) if replied_at is not None else now) > due
    return list(rows.values())


# Community assets ------------------------------------------------------------------------

def _gap_locality() -> Any:
    return func.coalesce(SearchGap.filters["near_locality"].as_string(),
                         SearchGap.filters[("localities", 0)].as_string())


@dataclass
class Gaps:
    per_locality: dict[str | None, dict[date, int]]      # locality slug -> month -> count
    words: dict[tuple[str, str | None], dict[date, int]]  # (words as typed, lower) -> month


def search_gaps(session: Session, filters: Filters) -> Gaps:
    """One pass over the period's rows (grouped by words, locality and month); the counts per
    locality are the sums of those groups."""
    where = and_(SearchGap.created_at >= filters.start, SearchGap.created_at < filters.end)
    locality = _gap_locality()
    if filters.locality is not None:
        where = and_(where, locality == filters.locality.slug)
    year, month = _month(SearchGap.created_at)
    words_key = func.lower(func.trim(SearchGap.query))
    per_locality: dict[str | None, dict[date, int]] = defaultdict(dict)
    words: dict[tuple[str, str | None], dict[date, int]] = defaultdict(dict)
    for text, slug, y, m, n in session.execute(
            select(words_key, locality, year, month, func.count())
            .where(where).group_by(words_key, locality, year, month)):
        when = _as_month(y, m)
        per_locality[slug][when] = per_locality[slug].get(when, 0) + int(n)
        if text:
            cell = words[(str(text), slug)]
            cell[when] = cell.get(when, 0) + int(n)
    return Gaps(dict(per_locality), dict(words))


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

