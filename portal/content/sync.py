"""``content sync`` and ``content export``: the library's files and the database, in step.

Sync reads and validates every item folder first. If any file has a fault, or any item
disagrees with the database (a changed text under an existing version number, a version
older than the one approved in the portal), the report names each problem and nothing at
all is changed. Otherwise each item's version is added as approved (superseding the live
one), or a newer approval in the files is recorded as a re-approval; an unchanged item is
left alone, so running sync twice changes nothing.

Export writes each item's approved version back in the same format; syncing an export
changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User, UserRole
from portal.authz.permissions import Role
from portal.content import media, queries, search
from portal.content.library import (
    POSTER,
    LibraryItem,
    Problem,
    read_library,
    translation_file,
    write_item,
)
from portal.content.models import ContentItem, ContentTranslation, ContentVersion, VersionStatus
from portal.content.services import _record_approval, content_hash

ROLE_NOTE = re.compile(r"\s*\([^)]*\)\s*$")


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    reapproved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Step:
    kind: str  # create | update | reapprove | reinstate | unchanged
    entry: LibraryItem
    fields: dict[str, Any]
    item: ContentItem | None = None
    version: ContentVersion | None = None


def person_name(name: str) -> str:
    """"Dr Demo Approver (clinical approver)" -> "Dr Demo Approver"."""
    return ROLE_NOTE.sub("", name).strip()


def _find_person(session: Session, name: str, role: Role, people: dict[str, User]) -> User | None:
    key = person_name(name)
    if key in people or name in people:
        return people.get(key) or people.get(name)
    found = session.scalars(select(User).join(UserRole).where(
        User.display_name == key, UserRole.role == role)).all()
    return found[0] if len(found) == 1 else None


def _fields(entry: LibraryItem) -> dict[str, Any]:
    fields = dict(entry.content)
    fields["video_sha256"] = media.sha256(entry.video) if entry.video else None
    fields["captions_sha256"] = media.sha256(entry.captions) if entry.captions else None
    if entry.translations:
        fields["translations"] = {
            language: {"title": text["title"], "summary": text["summary"],
                       "body": text["body"].strip(),
                       "captions_sha256": media.sha256(text["captions"]) if text["captions"]
                       else None}
            for language, text in sorted(entry.translations.items())}
    return fields


def _plan(session: Session, entry: LibraryItem) -> _Step | Problem:
    where = f"{entry.folder.parent.name}/{entry.folder.name}/index.md"
    fields = _fields(entry)
    item = queries.item_by_slug(session, entry.slug)
    if item is None:
        return _Step("create", entry, fields)
    digest = content_hash(fields)
    existing = session.scalar(select(ContentVersion).where(
        ContentVersion.item_id == item.id, ContentVersion.number == entry.version))
    live = queries.live_version(session, item.id)
    if existing is None:
        latest = queries.latest_number(session, item.id)
        if entry.version <= latest:
            return Problem(where, f"version {entry.version} is older than version {latest} in "
                                  "the portal (run `content export` to bring the files up to date)")
        return _Step("update", entry, fields, item)
    if existing.content_hash != digest:
        return Problem(where, f"version {entry.version} is already in the portal with different "
                              "content: give the changed item a new version number")
    if existing.status is VersionStatus.SUPERSEDED or existing.status in (
            VersionStatus.DRAFT, VersionStatus.SUBMITTED):
        return Problem(where, f"version {entry.version} is not the approved version in the portal")
    latest_approval = existing.latest_approval
    newer = latest_approval is None or (entry.approved_on, entry.review_due) > (
        latest_approval.approved_on, latest_approval.review_due)
    if existing.status is VersionStatus.WITHDRAWN:
        if newer and live is None:
            return _Step("reinstate", entry, fields, item, existing)
        return _Step("unchanged", entry, fields, item, existing)
    return _Step("reapprove" if newer else "unchanged", entry, fields, item, existing)


def sync(session: Session, root: Path, *, people: dict[str, User] | None = None) -> SyncReport:
    """Load the library under ``root`` into the database (all of it, or nothing)."""
    report = SyncReport()
    entries, report.problems = read_library(root)
    if report.problems:
        return report
    steps: list[_Step] = []
    for entry in entries:
        planned = _plan(session, entry)
        if isinstance(planned, Problem):
            report.problems.append(planned)
        else:
            steps.append(planned)
    if report.problems:
        return report
    for step in steps:
        _apply(session, step, people or {})
        _set_poster(session, step.entry)
        {"create": report.created, "update": report.updated, "reapprove": report.reapproved,
         "reinstate": report.reapproved, "unchanged": report.unchanged}[step.kind].append(
            step.entry.slug)
    session.flush()
    return report


def _apply(session: Session, step: _Step, people: dict[str, User]) -> None:
    entry = step.entry
    if step.kind == "unchanged":
        return
    approver = _find_person(session, entry.approver, Role.APPROVER, people)
    if step.kind in ("reapprove", "reinstate"):
        version = step.version
        if version is None:
            raise ValueError("a re-approval needs its version")
        if step.kind == "reinstate":
            version.status = VersionStatus.APPROVED
            version.withdrawn_at = version.withdrawal_reason = None
        _record_approval(session, version, approver.id if approver else None, entry.approver,
                         entry.approved_on, entry.review_due)
        search.queue(session, version.item_id)
        return
    if entry.video is not None:
        media.store(session, entry.video, entry.video_type or "video/mp4")
    if entry.captions is not None:
        media.store(session, entry.captions, media.VTT_TYPE)
    item = step.item
    if item is None:
        item = ContentItem(slug=entry.slug)
        session.add(item)
        session.flush()
    else:
        live = queries.live_version(session, item.id)
        if live is not None:
            live.status = VersionStatus.SUPERSEDED
            session.flush()
    author = _find_person(session, entry.author, Role.AUTHOR, people)
    columns = {key: value for key, value in step.fields.items() if key != "translations"}
    version = ContentVersion(item=item, number=entry.version, status=VersionStatus.APPROVED,
                             author_id=author.id if author else None, author_name=entry.author,
                             content_hash=content_hash(step.fields), **columns)
    session.add(version)
    _record_approval(session, version, approver.id if approver else None, entry.approver,
                     entry.approved_on, entry.review_due)
    for language, text in sorted(entry.translations.items()):
        if text["captions"] is not None:
            media.store(session, text["captions"], media.VTT_TYPE)
        translated = step.fields["translations"][language]
        version.translations.append(ContentTranslation(language=language, **translated))
    session.flush()
    search.queue(session, item.id)


def _set_poster(session: Session, entry: LibraryItem) -> None:
    """The item's poster as in its folder (kept or changed whatever happened to its versions:
    a poster is not approved content). An item without one keeps none."""
    item = queries.item_by_slug(session, entry.slug)
    if item is None:
        return
    digest = None
    if entry.poster is not None:
        digest = media.store(session, entry.poster, entry.poster_type or "image/jpeg").sha256
    if item.poster_sha256 != digest:
        item.poster_sha256 = digest
        session.flush()


# Export -----------------------------------------------------------------------------------

def export(session: Session, root: Path) -> list[str]:
    """Write every item's approved version to ``root/<slug>/``; returns the slugs written."""
    written = []
    versions = session.scalars(select(ContentVersion).where(
        ContentVersion.status == VersionStatus.APPROVED).order_by(ContentVersion.item_id))
    for version in versions:
        approval = version.latest_approval
        if approval is None:
            raise ValueError(f"approved version {version.id} has no approval record")
        meta, texts, blobs = _files(session, version, approval.approver_name,
                                    approval.approved_on, approval.review_due)
        write_item(root, version.item.slug, meta, version.body, texts=texts, blobs=blobs)
        written.append(version.item.slug)
    return written


def _files(session: Session, version: ContentVersion, approver: str, approved_on: date,
           review_due: date) -> tuple[dict[str, Any], dict[str, str], dict[str, bytes]]:
    meta: dict[str, Any] = {
        "title": version.title, "summary": version.summary, "topics": list(version.topics),
        "conditions": list(version.conditions), "audience": list(version.audience),
        "reading_age": version.reading_age, "languages": list(version.languages),
        "author": version.author_name, "approver": approver, "approved_on": approved_on,
        "version": version.number, "review_due": review_due, "sources": list(version.sources),
    }
    texts: dict[str, str] = {}
    blobs: dict[str, bytes] = {}
    if version.video_sha256:
        row = session.get(media.ContentMedia, version.video_sha256)
        if row is None:
            raise ValueError(f"version {version.id}'s video is missing")
        meta["video"] = f"video.{media.EXTENSIONS.get(row.content_type, 'mp4')}"
        blobs[meta["video"]] = row.data
    if version.captions_sha256:
        meta["captions"] = "captions.en.vtt"
        blobs[meta["captions"]] = media.load(session, version.captions_sha256) or b""
    if version.video_sha256 and version.item.poster_sha256:
        blobs[POSTER] = media.load(session, version.item.poster_sha256) or b""
    for translation in version.translations:
        captions = f"captions.{translation.language}.vtt" if translation.captions_sha256 else None
        texts[f"index.{translation.language}.md"] = translation_file(
            translation.title, translation.summary, translation.body, captions)
        if captions:
            blobs[captions] = media.load(session, translation.captions_sha256 or "") or b""
    if version.transcript:
        meta["transcript"] = "transcript.md"
        texts["transcript.md"] = version.transcript
    if version.easy_read:
        meta["easy_read"] = "easy-read.md"
        texts["easy-read.md"] = version.easy_read
    return meta, texts, blobs
