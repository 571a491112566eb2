"""Searching the library: a small Whoosh index of the versions residents may see.

The index lives in ``<SEARCH_INDEX_DIR>/content``, apart from the directory's index, and
follows the database: services call ``queue(session, item_id)``; just before the commit the
queued items' documents are read (the live version, or nothing), and after the commit they
are written to the index; a rollback discards them. ``content reindex`` (and a search that
finds no index) rebuilds it from the database. Versions past their withdrawal date are
filtered out at search time too, so the clock alone withdraws them from results.

Text is stemmed ("breathless", "breathing" and "breath" meet) and nothing typed is read as
query syntax. The query side understands people as the directory's does
(``portal.search.understanding``): filler words are dropped, concept phrases of the concept map
widen to the words of their need ("lonley" is corrected, "since my wife died" finds
bereavement), and ranking is Whoosh's BM25F with a coordination bonus, so pages matching more of
the query come first and partial matches are still found. Other areas (a combined "all
results" view) call ``search_content(query, page)``.
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
from whoosh.query import Or, Term

from portal.content import markdown, policies
from portal.content.models import ContentVersion
from portal.outbox import handler
from portal.search import understanding

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
    corrected: str | None = None  # the corrected words the results are for
    typed: str | None = None  # what was typed, when corrected
    urgent: bool = False  # words of crisis: show the urgent help box first
    languages: list[str] = field(default_factory=list)

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
               on: date | None = None, *, correct: bool = True) -> ContentResults:
        results = ContentResults(query=text, page=max(1, page))
        understood = understanding.understand(text)
        results.urgent = understood.urgent
        results.languages = sorted(understood.languages)
        with self.lock:
            if not self.exists():
                self.rebuild(session, on)
            index = whoosh_index.open_dir(str(self.directory))
        with index.searcher() as searcher:
            if correct:
                changes = _corrections(searcher, understood)
                if changes:
                    results.typed = understood.text
                    understood = understanding.understand(
                        " ".join(changes.get(word, word) for word in understood.words))
                    results.corrected = understood.text
                    results.urgent = results.urgent or understood.urgent
            query = _query(understood)
            if query is None:
                return results
            hits = searcher.search(query, limit=None)
            shown = _still_shown(hits, on)
        # The database is the truth: drop anything withdrawn since it was indexed, and show
        # each page's words as they are now (a new version may not be indexed yet).
        live = live_words(session, [hit.slug for hit in shown], on)
        shown = [ContentResult(hit.slug, *live[hit.slug], hit.topics)
                 for hit in shown if hit.slug in live]
        results.total = len(shown)
        start = (results.page - 1) * PAGE_SIZE
        results.items = shown[start:start + PAGE_SIZE]
        return results


def _still_shown(hits: Any, on: date | None) -> list[ContentResult]:
    last = policies.last_visible_review_due(on or policies.today()).isoformat()
    return [ContentResult(hit["slug"], hit["title"], hit["summary"],
                          [t for t in hit.get("topics", "").split(",") if t])
            for hit in hits if hit.get("review_due", "") >= last]


def live_words(session: Session, slugs: list[str], on: date | None) -> dict[str, tuple[str, str]]:
    """{slug: (title, summary)} of those items residents may see now, from the database."""
    from portal.content.models import ContentItem, VersionStatus

    if not slugs:
        return {}
    day = policies.last_visible_review_due(on or policies.today())
    rows = session.execute(
        select(ContentItem.slug, ContentVersion.title, ContentVersion.summary)
        .join(ContentVersion, ContentVersion.item_id == ContentItem.id)
        .where(ContentItem.slug.in_(slugs), ContentVersion.status == VersionStatus.APPROVED,
               ContentVersion.review_due >= day))
    return {slug: (title, summary) for slug, title, summary in rows}


def _unit_stems(unit: understanding.Unit) -> list[str]:
    """A unit's words, and for a concept the words of its keys ("bereavement", "money advice")."""
    stems = list(unit.stems)
    for key in unit.keys:
        for token in ANALYZER(key.replace("-", " ")):
            if token.text not in stems:
                stems.append(token.text)
    return stems


def _query(understood: understanding.Understood) -> Any:
    """Any unit may match (each is any of its words in any field); BM25F scores, and
    ``scale`` adds Whoosh's coordination bonus: pages matching more units rank higher."""
    units = []
    for unit in understood.units[:MAX_WORDS]:
        stems = _unit_stems(unit)
        if stems:
            boost = 1.5 if unit.phrase else 1.0
            units.append(Or([Term(name, stem) for stem in stems for name in TEXT_FIELDS], boost=boost))
    for place in understood.place_words:  # guidance is not local: a place is just a word
        units += [Or([Term(name, token.text) for name in TEXT_FIELDS]) for token in ANALYZER(place)]
    if not units:
        return None
    return units[0] if len(units) == 1 else Or(units, scale=0.9)


def _corrections(searcher: Any, understood: understanding.Understood) -> dict[str, str]:
    """Unknown typed words with a near known word (the library's titles and summaries, the
    concept map): {typed: correction}. Real everyday words are kept."""
    from portal.search.text import is_real_word, nearest_word

    reader = searcher.reader()
    concepts = understanding.load_concepts().vocabulary
    known: list[str] | None = None
    found: dict[str, str] = {}
    for unit in understood.units:
        folded = understanding.fold(unit.typed)
        if unit.keys or len(folded) < 4 or not folded.isalpha() or folded in concepts \
                or is_real_word(folded):
            continue
        if any((name, stem) in reader for stem in unit.stems for name in TEXT_FIELDS):
            continue
        if known is None:
            words: set[str] = set(concepts)
            for stored in searcher.all_stored_fields():
                shown = f"{stored.get('title', '')} {stored.get('summary', '')}"
                words.update(word.lower() for word in _WORD.findall(shown))
            known = sorted(w for w in words if w.isalpha() and len(w) >= 3)
        better = nearest_word(folded, known, concepts)
        if better:
            found[unit.typed] = better
    return found


def search_content(query: str, page: int = 1, *, session: Session | None = None,
                   on: date | None = None, correct: bool = True) -> ContentResults:
    """Approved, in-date guidance matching ``query``, best first (``correct=False``: search
    misspelt words exactly as typed)."""
    from portal.extensions import db

    return ContentIndex.for_app().search(session or db.session, query, page, on, correct=correct)


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
