"""Searching the library: a small Whoosh index of the versions residents may see.

The index lives in ``<SEARCH_INDEX_DIR>/content``, apart from the directory's index, and
follows the database: services call ``queue(session, item_id)``; just before the commit the
queued items' documents are read (the live version, or nothing), and after the commit they
are written to the index; a rollback discards them. ``content reindex`` (and a search that
finds no index) rebuilds it from the database. Versions past their withdrawal date are
filtered out at search time too, so the clock alone withdraws them from results.

Text is stemmed ("breathless", "breathing" and "breath" meet), every word typed must match
somewhere, and nothing typed is read as query syntax. Other areas (a combined "all results"
view) call ``search_content(query, page)``.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import And, Or, Term

from portal.content import markdown, policies
from portal.content.models import ContentVersion
from portal.outbox import handler

log = logging.getLogger(__name__)

ANALYZER = StemmingAnalyzer()
SCHEMA = Schema(
    slug=ID(stored=True, unique=True),
    title=TEXT(analyzer=ANALYZER, stored=True, field_boost=3.0),
    summary=TEXT(analyzer=ANALYZER, stored=True, field_boost=2.0),
    body=TEXT(analyzer=ANALYZER),
    transcript=TEXT(analyzer=ANALYZER),
    labels=TEXT(analyzer=ANALYZER, field_boost=2.0),
    topics=KEYWORD(stored=True, commas=True),
    review_due=STORED(),
)
TEXT_FIELDS = ("title", "summary", "body", "transcript", "labels")
PAGE_SIZE = 10
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class ContentResult:
    slug: str
    title: str
    summary: str
    topics: list[str]


@dataclass
class ContentResults:
    query: str
    items: list[ContentResult] = field(default_factory=list)
    total: int = 0
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


def document(version: ContentVersion) -> dict[str, Any]:
    from portal.content.vocab import condition_label, topic_label

    labels = [topic_label(t) for t in version.topics or []]
    labels += [condition_label(c) for c in version.conditions or [] if c != "none"]
    return {
        "slug": version.item.slug,
        "title": version.title,
        "summary": version.summary,
        "body": markdown.plain_text(version.body),
        "transcript": markdown.plain_text(version.transcript),
        "labels": " ".join(labels),
        "topics": ",".join(version.topics or []),
        "review_due": version.review_due.isoformat() if version.review_due else "",
    }


class ContentIndex:
    """The content index of one app."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.RLock()

    @classmethod
    def for_app(cls, app: Flask | None = None) -> ContentIndex:
        target = app or current_app
        found = target.extensions.get("portal.content.index")
        if found is None:
            found = target.extensions.setdefault(
                "portal.content.index",
                cls(Path(target.config["SEARCH_INDEX_DIR"]) / "content"))
        return found  # type: ignore[no-any-return]

    def exists(self) -> bool:
        return self.directory.is_dir() and whoosh_index.exists_in(str(self.directory))

    def rebuild(self, session: Session, on: date | None = None) -> int:
        from portal.content.queries import visible_versions

        versions = visible_versions(session, on=on)
        with self.lock:
            fresh = self.directory.with_name(self.directory.name + ".new")
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir(parents=True)
            index = whoosh_index.create_in(str(fresh), SCHEMA)
            writer = index.writer(timeout=10.0)
            for version in versions:
                writer.add_document(**document(version))
            writer.commit()
            old = self.directory.with_name(self.directory.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self.directory.exists():
                self.directory.rename(old)
            fresh.rename(self.directory)
            shutil.rmtree(old, ignore_errors=True)
        return len(versions)

    def apply(self, changes: dict[str, dict[str, Any] | None]) -> None:
        """Write or delete the documents of these slugs (None: not shown to residents)."""
        with self.lock:
            if not self.exists():
                return  # the next search rebuilds it from the database
            try:
                writer = whoosh_index.open_dir(str(self.directory)).writer(timeout=5.0)
            except LockError:
                log.warning("content index busy; the outbox will try again")
                raise
            for slug, doc in changes.items():
                if doc is None:
                    writer.delete_by_term("slug", slug)
                else:
                    writer.update_document(**doc)
            writer.commit()

    def search(self, session: Session, text: str, page: int = 1,
               on: date | None = None) -> ContentResults:
        results = ContentResults(query=text, page=max(1, page))
        query = _query(text)
        if query is None:
            return results
        with self.lock:
            if not self.exists():
                self.rebuild(session, on)
            index = whoosh_index.open_dir(str(self.directory))
            with index.searcher() as searcher:
                hits = searcher.search(query, limit=None)
                shown = _still_shown(hits, on)
        # The database is the truth: drop anything changed since it was indexed.
        live = visible_slugs(session, [hit.slug for hit in shown], on)
        shown = [hit for hit in shown if hit.slug in live]
        results.total = len(shown)
        start = (results.page - 1) * PAGE_SIZE
        results.items = shown[start:start + PAGE_SIZE]
        return results


def _still_shown(hits: Any, on: date | None) -> list[ContentResult]:
    last = policies.last_visible_review_due(on or policies.today()).isoformat()
    return [ContentResult(hit["slug"], hit["title"], hit["summary"],
                          [t for t in hit.get("topics", "").split(",") if t])
            for hit in hits if hit.get("review_due", "") >= last]


def visible_slugs(session: Session, slugs: list[str], on: date | None) -> set[str]:
    from portal.content.models import ContentItem, VersionStatus

    if not slugs:
        return set()
    day = policies.last_visible_review_due(on or policies.today())
    return set(session.scalars(
        select(ContentItem.slug).join(ContentVersion, ContentVersion.item_id == ContentItem.id)
        .where(ContentItem.slug.in_(slugs), ContentVersion.status == VersionStatus.APPROVED,
               ContentVersion.review_due >= day)))


def _query(text: str) -> Any:
    typed = " ".join((text or "")[:MAX_QUERY_CHARS].split())
    stems: list[str] = []
    for word in _WORD.findall(typed.lower())[:MAX_WORDS]:
        stems.extend(token.text for token in ANALYZER(word) if token.text not in stems)
    if not stems:
        return None
    return And([Or([Term(name, stem) for name in TEXT_FIELDS]) for stem in stems])


def search_content(query: str, page: int = 1, *, session: Session | None = None,
                   on: date | None = None) -> ContentResults:
    """Approved, in-date guidance matching ``query`` (every word, stemmed), best first."""
    from portal.extensions import db

    return ContentIndex.for_app().search(session or db.session, query, page, on)


def reindex(session: Session) -> int:
    return ContentIndex.for_app().rebuild(session)


# Keeping the index in step with commits -----------------------------------------------------

INDEX_JOB = "content.index"


def queue(session: Session, item_id: int) -> None:
    """Bring the item's document up to date once this transaction commits (an outbox job)."""
    from portal.outbox import enqueue

    enqueue(session, INDEX_JOB, {"item_ids": [item_id]})


@handler(INDEX_JOB)
def _apply_job(session: Session, payload: dict[str, Any]) -> None:
    """Write (or delete) the documents of these items as the database has them now."""
    from portal.content.models import ContentItem
    from portal.content.queries import live_version

    changes: dict[str, dict[str, Any] | None] = {}
    for item_id in sorted(set(payload.get("item_ids", []))):
        item = session.get(ContentItem, item_id)
        if item is None:
            continue
        version = live_version(session, item_id)
        changes[item.slug] = document(version) if version and policies.is_live(version) else None
    if changes:
        ContentIndex.for_app().apply(changes)
