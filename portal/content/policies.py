"""Who may see or change which guidance, and when a page is live, under review or withdrawn.

Residents see only the live (approved) version of an item, and only until 90 days after its
review date (after which it is withdrawn, whether or not ``content review-dates`` has run
yet). Authors work on drafts together; a clinical approver approves a version only if they
wrote or changed none of the item's versions since its last approval (every save is kept in
``content_version_change``, so a third person's paragraph cannot hide behind the author's last
save). List queries use the same rules (``queries``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from portal.authz.permissions import Permission, Role
from portal.clock import today as today  # re-exported for the area
from portal.content.models import OPEN_STATUSES, ContentVersion, VersionStatus

UK = ZoneInfo("Europe/London")
WITHDRAW_AFTER = timedelta(days=90)
REVIEW_AFTER_MONTHS = 12


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_review_due(approved_on: date) -> date:
    return add_months(approved_on, REVIEW_AFTER_MONTHS)


def withdrawal_date(version: ContentVersion) -> date | None:
    """The first day residents no longer see this version (unless it is re-approved)."""
    if version.review_due is None:
        return None
    return version.review_due + WITHDRAW_AFTER + timedelta(days=1)


def last_visible_review_due(on: date) -> date:
    """Versions whose review date is on or after this day are still shown on ``on``."""
    return on - WITHDRAW_AFTER


def is_live(version: ContentVersion | None, on: date | None = None) -> bool:
    """Residents may see this version today."""
    if version is None or version.status is not VersionStatus.APPROVED or version.review_due is None:
        return False
    return version.review_due >= last_visible_review_due(on or today())


def is_under_review(version: ContentVersion, on: date | None = None) -> bool:
    """Live, but past its review date: residents see "this page is being reviewed"."""
    day = on or today()
    return is_live(version, day) and version.review_due is not None and day > version.review_due


def is_overdue_for_withdrawal(version: ContentVersion, on: date | None = None) -> bool:
    return version.status is VersionStatus.APPROVED and not is_live(version, on)


# People ----------------------------------------------------------------------------------

def _has(user: Any, permission: Permission) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_permission(permission))


def is_author(user: Any) -> bool:
    return _has(user, Permission.CONTENT_DRAFT_WRITE)


def is_approver(user: Any) -> bool:
    return _has(user, Permission.CONTENT_VERSION_APPROVE)


def can_view_version(user: Any, version: ContentVersion) -> bool:
    """Authors and approvers see every version of every item (drafts included)."""
    return is_author(user) or is_approver(user)


def can_edit_version(user: Any, version: ContentVersion) -> bool:
    """Authors change open drafts; approved versions never change (a new draft is made)."""
    return is_author(user) and version.status in OPEN_STATUSES


def wrote(user: Any, contributors: Collection[int]) -> bool:
    """Whether this person is among a version's contributors (``queries.contributors``:
    everyone who wrote or changed any version of the item since its last approval)."""
    uid = getattr(user, "id", None)
    return uid is not None and uid in contributors


def approval_refusal(user: Any, version: ContentVersion,
                     contributors: Collection[int]) -> str | None:
    """Why this person may not approve this version, or None if they may."""
    if not is_approver(user):
        return _("Only a clinical approver can approve guidance.")
    if wrote(user, contributors):
        return _("You wrote or changed this version, so a different clinical approver must "
                 "approve it.")
    if version.status is not VersionStatus.SUBMITTED:
        return _("This version has not been sent for approval.")
    return None


def can_approve(user: Any, version: ContentVersion, contributors: Collection[int]) -> bool:
    return approval_refusal(user, version, contributors) is None


def can_recommend(user: Any) -> bool:
    """Whether to offer the recommend page at all (a role check). Whom a worker may recommend
    to is the care circles' policy: ``decide(..., Access.RECOMMEND)``, people their team serves
    with consent."""
    return _has(user, Permission.CARE_TEAM_WORK)


def can_receive_recommendation(person: Any) -> bool:
    """Residents and carers with an active account."""
    return bool(person is not None and person.is_active
                and (person.has_role(Role.RESIDENT) or person.has_role(Role.CARER)))
