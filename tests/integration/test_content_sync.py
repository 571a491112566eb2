"""`content sync` loads and validates the library idempotently; a fault changes nothing;
`content export` writes the approved versions back; `content review-dates` and `reindex`."""

import shutil
from datetime import date
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from portal.content import queries
from portal.content.library import read_library
from portal.content.models import ContentApproval, ContentItem, ContentMedia, ContentVersion, VersionStatus
from tests.helpers.factories import fresh_content_index

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def _sync(app, root):
    return app.test_cli_runner().invoke(args=["content", "sync", "--from", str(root)])


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_sync_loads_the_starter_library_approved_and_again_changes_nothing(app, session, tmp_path):
    with fresh_content_index(app, tmp_path / "index"):
        result = _sync(app, CONTENT)
        assert result.exit_code == 0, result.output
        assert "Added: 12, new versions: 0, re-approved: 0, unchanged: 0" in result.output
        again = _sync(app, CONTENT)
    assert "Added: 0, new versions: 0, re-approved: 0, unchanged: 12" in again.output
    assert (_count(session, ContentItem), _count(session, ContentVersion),
            _count(session, ContentApproval), _count(session, ContentMedia)) == (12, 12, 12, 40)
    item = queries.item_by_slug(session, "breathlessness-copd")
    version = queries.live_version(session, item.id)
    assert (version.status, version.number, version.review_due) == (
        VersionStatus.APPROVED, 1, date(2027, 1, 12))
    assert version.author_name == "Demo Author (content author)"
    assert version.latest_approval.approver_name == "Dr Demo Approver (clinical approver)"


def test_sync_with_one_invalid_file_reports_it_and_changes_nothing(app, session, library):
    index = library / "eating-well" / "index.md"
    index.write_text(index.read_text().replace("review_due: 2027", "review_due: 2027-02-30\n#"),
                     encoding="utf-8")
    (library / "heart-failure" / "video.mp4").write_text("this is not a video")
    result = _sync(app, library)
    assert result.exit_code == 1
    assert "content/eating-well/index.md: review_due: '2027-02-30' is not a real date" in result.output
    assert "content/heart-failure/video.mp4: this is not a video (an MP4 or WebM file)" in result.output
    assert "2 problem(s) found" in result.output and "nothing was changed" in result.output
    assert _count(session, ContentItem) == 0 and _count(session, ContentMedia) == 0


def test_sync_new_version_supersedes_and_changed_text_under_old_number_is_refused(
        app, session, library):
    assert _sync(app, library).exit_code == 0
    index = library / "keeping-active" / "index.md"
    index.write_text(index.read_text().replace("## ", "## Moving more: ", 1), encoding="utf-8")
    refused = _sync(app, library)
    assert refused.exit_code == 1
    assert ("content/keeping-active/index.md: version 1 is already in the portal with different "
            "content: give the changed item a new version number") in refused.output
    index.write_text(index.read_text().replace("version: 1", "version: 2")
                     .replace("approved_on: 2026-", "approved_on: 2026-"), encoding="utf-8")
    result = _sync(app, library)
    assert "new versions: 1" in result.output, result.output
    item = queries.item_by_slug(session, "keeping-active")
    statuses = [(v.number, v.status) for v in queries.history(session, item.id)]
    assert statuses == [(2, VersionStatus.APPROVED), (1, VersionStatus.SUPERSEDED)]


def test_sync_newer_approval_in_the_files_is_recorded_as_a_reapproval(app, session, library):
    assert _sync(app, library).exit_code == 0
    index = library / "staying-well-in-winter" / "index.md"
    index.write_text(index.read_text().replace("approved_on: 2026-01-20", "approved_on: 2026-11-20")
                     .replace("review_due: 2026-11-01", "review_due: 2027-11-01"), encoding="utf-8")
    result = _sync(app, library)
    assert "re-approved: 1, unchanged: 11" in result.output
    item = queries.item_by_slug(session, "staying-well-in-winter")
    version = queries.live_version(session, item.id)
    assert version.review_due == date(2027, 11, 1) and len(version.approvals) == 2


def test_export_writes_approved_versions_that_sync_back_unchanged(app, session, tmp_path):
    assert _sync(app, CONTENT).exit_code == 0
    out = tmp_path / "exported"
    result = app.test_cli_runner().invoke(args=["content", "export", "--to", str(out)])
    assert result.exit_code == 0 and "Wrote 12 items" in result.output
    with app.test_request_context():
        items, problems = read_library(out)
    assert problems == [] and len(items) == 12
    original = (CONTENT / "falls-prevention" / "video.mp4").read_bytes()
    assert (out / "falls-prevention" / "video.mp4").read_bytes() == original
    assert (out / "falls-prevention" / "easy-read.md").exists()
    for path in CONTENT.glob("*/*.*"):  # the library's own files come back byte for byte
        assert (out / path.relative_to(CONTENT)).read_bytes() == path.read_bytes(), path
    assert "unchanged: 12" in _sync(app, out).output


def test_review_dates_command_reminds_then_withdraws(app, session, smtp_sink):
    assert _sync(app, CONTENT).exit_code == 0
    runner = app.test_cli_runner()
    with time_machine.travel(date(2026, 11, 23), tick=False):
        result = runner.invoke(args=["content", "review-dates"])
    assert "Past their review date: 1" in result.output
    assert "Withdrawn now: 0" in result.output
    result = runner.invoke(args=["content", "review-dates", "--today", "2027-01-31"])
    assert "Withdrawn now: 1" in result.output
    item = queries.item_by_slug(session, "staying-well-in-winter")
    assert queries.live_version(session, item.id) is None
    assert queries.history(session, item.id)[0].status is VersionStatus.WITHDRAWN


def test_reindex_command_indexes_the_pages_residents_may_see(app, session, tmp_path):
    with fresh_content_index(app, tmp_path / "index"):
        assert _sync(app, CONTENT).exit_code == 0
        with time_machine.travel(date(2026, 11, 23), tick=False):
            result = app.test_cli_runner().invoke(args=["content", "reindex"])
    assert "Indexed 12 guidance pages." in result.output
