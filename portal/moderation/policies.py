"""Who may touch which listing, revision or report; and when a listing may be out of date.

Editors work on their own organisations' listings only; moderators on every listing. The
same functions filter the lists, so a list never shows what a detail page would refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from portal.authz.permissions import Permission
from portal.clock import today as today  # re-exported for the area
from portal.directory.models import Service, ServiceStatus
from portal.moderation.models import ProblemReport, RevisionStatus, ServiceRevision

UK = ZoneInfo("Europe/London")
STALE_AFTER_MONTHS = 12


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale_before(on: date | None = None) -> date:
    """Listings last checked before this day may be out of date."""
    return months_before(on or today(), STALE_AFTER_MONTHS)


def is_stale(service: Service, on: date | None = None) -> bool:
    """True when nobody has confirmed the listing for more than 12 months (or ever)."""
    checked = service.last_checked_on
    return checked is None or checked < stale_before(on)


# Object policies --------------------------------------------------------------------------

def is_moderator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and user.has_permission(Permission.DIRECTORY_REVISION_MODERATE))


def editor_organisation_ids(user: Any) -> set[str]:
    """The organisations whose listings this person may edit."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if not user.has_permission(Permission.DIRECTORY_LISTING_EDIT):
        return set()
    return {organisation.id for organisation in user.organisations}


def can_edit_organisation(user: Any, organisation_id: str | None) -> bool:
    return organisation_id is not None and organisation_id in editor_organisation_ids(user)


def can_edit_service(user: Any, service: Service) -> bool:
    return can_edit_organisation(user, service.organisation_id)


def can_view_service_history(user: Any, service: Service) -> bool:
    return is_moderator(user) or can_edit_service(user, service)


def can_view_revision(user: Any, revision: ServiceRevision) -> bool:
    return is_moderator(user) or can_edit_organisation(user, revision.organisation_id)


def can_change_revision(user: Any, revision: ServiceRevision) -> bool:
    """Only the author changes their own waiting revision, and only while it waits."""
    return (revision.status is RevisionStatus.PENDING
            and revision.author_id == getattr(user, "id", None)
            and can_edit_organisation(user, revision.organisation_id))


def can_publish(user: Any, revision: ServiceRevision) -> bool:
    """A moderator publishes changes other people made, never their own (the two-person
    rule: an account that is both editor and moderator needs a second moderator)."""
    return is_moderator(user) and (revision.author_id is None
                                   or revision.author_id != getattr(user, "id", None))


def can_resolve_report(user: Any, report: ProblemReport, service: Service) -> bool:
    return is_moderator(user) or can_edit_service(user, service)


def can_be_reported(service: Service | None) -> bool:
    """Only listings the public can see take problem reports."""
    return (service is not None and service.published
            and ServiceStatus(service.status) is ServiceStatus.ACTIVE)
