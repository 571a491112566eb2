"""Who may touch which listing, and when a listing may be out of date."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from portal.authz import Role
from portal.directory.models import Service, ServiceStatus
from portal.moderation import policies
from portal.moderation.models import RevisionStatus, ServiceRevision
from tests.helpers.factories import make_organisation, make_service, make_user


@pytest.mark.parametrize(("checked", "stale"), [
    (date(2025, 11, 23), False),  # exactly 12 months ago: still current
    (date(2025, 11, 22), True),
    (date(2026, 11, 23), False),
    (None, True),
])
def test_is_stale_after_twelve_months(checked, stale):
    assert policies.is_stale(Service(last_checked_on=checked), date(2026, 11, 23)) is stale


def test_twelve_months_before_a_leap_day_is_the_last_of_february():
    assert policies.months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert policies.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert policies.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_today_follows_the_uk_clock():
    with time_machine.travel("2026-06-30 23:30:00+00:00", tick=False):
        assert policies.today() == date(2026, 7, 1)  # British Summer Time
    with time_machine.travel(date(2026, 12, 1), tick=False):
        assert policies.is_stale(Service(last_checked_on=date(2025, 11, 30)))


def test_editors_touch_their_own_organisations_listings_only(session):
    mine, theirs = make_organisation(session), make_organisation(session)
    editor = make_user(session, Role.EDITOR, organisations=[mine])
    resident = make_user(session, Role.RESIDENT, organisations=[mine])
    moderator = make_user(session, Role.MODERATOR)
    own, other = make_service(session, mine), make_service(session, theirs)
    assert policies.can_edit_service(editor, own) and not policies.can_edit_service(editor, other)
    assert not policies.can_edit_service(resident, own)  # a member without the permission
    assert not policies.can_edit_service(moderator, own)
    assert policies.can_view_service_history(moderator, other)
    assert policies.editor_organisation_ids(editor) == {mine.id}


def test_only_the_author_changes_a_waiting_revision(session):
    organisation = make_organisation(session)
    author = make_user(session, Role.EDITOR, organisations=[organisation])
    colleague = make_user(session, Role.EDITOR, organisations=[organisation])
    revision = ServiceRevision(organisation_id=organisation.id, author_id=author.id, data={},
                               status=RevisionStatus.PENDING)
    assert policies.can_change_revision(author, revision)
    assert not policies.can_change_revision(colleague, revision)
    assert policies.can_view_revision(colleague, revision)
    revision.status = RevisionStatus.REJECTED
    assert not policies.can_change_revision(author, revision)


def test_only_published_running_listings_can_be_reported():
    assert policies.can_be_reported(Service(published=True, status=ServiceStatus.ACTIVE))
    assert not policies.can_be_reported(Service(published=False, status=ServiceStatus.ACTIVE))
    assert not policies.can_be_reported(Service(published=True, status=ServiceStatus.INACTIVE))
    assert not policies.can_be_reported(None)
