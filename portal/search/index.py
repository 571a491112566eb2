"""The on-disk Whoosh index of published services, one ``SearchIndex`` per app.

* Reading: each process keeps one searcher and refreshes it when the index's generation
  changes (``refresh``), never reopening per request. Whoosh-reloaded's own
  ``Searcher.refresh()`` reuses segment readers whose deletions have since changed (updated
  documents show twice), so a changed generation gets a fresh reader; unchanged segments keep
  their bitsets (``bitsets.build``). Searches run concurrently: the lock is held only to
  renew the searcher and around Whoosh's own reads (stored fields, postings, the lexicon),
  which are not thread-safe; a searcher replaced while a search still uses it is closed when
  the last such search ends.
* Writing: ``writer(timeout=...)`` waits a bounded time for Whoosh's lock; ``writing()`` retries
  a few times and commits, or cancels on error. ``AsyncWriter`` is never used.
* ``rebuild`` writes new segments under the index's lock and commits them all at once in place
  of the old ones, so searchers see the old index until then. ``heal`` recreates a lost or
  corrupt index from the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import shutil
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import FileIndex, LockError
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from portal.search import bitsets
from portal.search.documents import indexable_ids, iter_documents
from portal.search.schema import SCHEMA, signature

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 1.0
WRITE_ATTEMPTS = 3
SEGMENT_DOCS = 20_000


@dataclass
class Difference:
    """What ``verify`` found: ids missing from the index, extra in it, or out of date."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not (self.missing or self.extra or self.stale)


@contextlib.contextmanager
def quiet_leaks() -> Iterator[None]:
    """Whoosh leaves a file open when it fails to read a damaged index: after such a failure,
    call ``gc.collect()`` inside this block to let it go quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def _finish_part(writer: SegmentWriter) -> Any:
    """A finished segment (its temporary files live on with the main writer's, which is the
    one that cleans them up)."""
    return writer._finalize_segment()


class SearchIndex:
    """Owns the index directory for one app."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.RLock()
        self._index: FileIndex | None = None
        self._searcher: Searcher | None = None
        self._generation: int | None = None
        self._bits: bitsets.SearcherBits | None = None
        self._segment_bits: dict[str, bitsets.SegmentBits] = {}
        self._users: dict[int, int] = {}  # id(searcher) -> searches using it
        self._retired: dict[int, Searcher] = {}  # replaced searchers still in use

    @classmethod
    def for_app(cls, app: Flask | None = None) -> SearchIndex:
        target = app if app is not None else current_app
        return target.extensions["portal.search"]  # type: ignore[no-any-return]

    def init_app(self, app: Flask) -> None:
        app.extensions["portal.search"] = self

    # -- opening and reading -------------------------------------------------------------

    def exists(self) -> bool:
        """Whether there is an index here (readable or not): a table of contents file."""
        return self.directory.is_dir() and any(self.directory.glob("_MAIN_*.toc"))

    def open(self) -> FileIndex:
        """The index; raises ``whoosh.index.EmptyIndexError`` when there is none yet."""
        with self._lock:
            if self._index is None:
                try:
                    index = whoosh_index.open_dir(str(self.directory))
                except Exception:
                    with quiet_leaks():  # a damaged index leaves a file open: let it go now
                        gc.collect()
                    raise
                if set(index.schema.names()) != set(SCHEMA.names()):
                    # Written by an older version of the portal: rebuild rather than misread.
                    raise whoosh_index.EmptyIndexError("the index has an older schema")
                self._index = index
            return self._index

    def refresh(self) -> Searcher:
        """This process's searcher, renewed only when the index has a new generation."""
        with self._lock:
            index = self.open()
            latest = index.latest_generation()
            if self._searcher is None or latest != self._generation:
                old = self._searcher
                self._searcher = index.searcher()
                self._generation = self._searcher.reader().generation()
                self._bits = None
                if old is not None:
                    self._retire(old)
            return self._searcher

    def _retire(self, old: Searcher) -> None:
        if self._users.get(id(old)):
            self._retired[id(old)] = old
        else:
            with contextlib.suppress(Exception):
                old.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[tuple[Searcher, bitsets.SearcherBits]]:
        """This process's searcher and its bitsets, for one search. The lock is held only while
        they are renewed, so searches in several threads run at the same time."""
        with self._lock:
            try:
                searcher = self.refresh()
                if self._bits is None:
                    self._bits = bitsets.build(searcher.reader(), self._segment_bits, self._lock)
                bits = self._bits
            except Exception:
                self.reset()
                raise
            self._users[id(searcher)] = self._users.get(id(searcher), 0) + 1
        try:
            yield searcher, bits
        except Exception:
            self.reset()
            raise
        finally:
            with self._lock:
                left = self._users[id(searcher)] = self._users.get(id(searcher), 1) - 1
                if left <= 0:
                    self._users.pop(id(searcher), None)
                    retired = self._retired.pop(id(searcher), None)
                    if retired is not None:
                        with contextlib.suppress(Exception):
                            retired.close()

    def stored(self, searcher: Searcher, docnums: list[int]) -> list[dict[str, Any]]:
        """The stored fields of ``docnums`` (Whoosh's reads are serialised)."""
        with self._lock:
            return [searcher.stored_fields(docnum) for docnum in docnums]

    def known_words(self, searcher: Searcher, bits: bitsets.SearcherBits) -> list[str]:
        """The words spelling correction may offer (``text.known_words``), once a generation."""
        from portal.search import text

        if "known_words" not in bits.cache:
            with self._lock:
                return text.known_words(bits, searcher.reader())
        return text.known_words(bits, searcher.reader())

    def reset(self) -> None:
        """Forget everything open; the next read opens the index afresh."""
        with self._lock:
            if self._searcher is not None:
                self._retire(self._searcher)
            self._index = self._searcher = self._bits = self._generation = None
            self._segment_bits = {}

    def healthy(self) -> bool:
        """Whether the index on disk opens and reads (a fresh look, not this process's searcher)."""
        with quiet_leaks():
            ok = True
            try:
                index = whoosh_index.open_dir(str(self.directory))
                with index.searcher() as searcher:
                    for reader, _offset in searcher.reader().leaf_readers():
                        for _fields in reader.iter_docs():
                            break
                        list(reader.lexicon("id"))[:1]
            except Exception:
                ok = False
            if not ok:
                gc.collect()
            return ok

    def is_reachable(self) -> bool:
        """For readiness: the index opens, or there is none yet and its directory can be made."""
        if self.directory.exists() and not self.directory.is_dir():
            return False
        if not self.exists():
            return self.directory.parent.is_dir()
        try:
            with self.reading() as (searcher, _bits):
                searcher.doc_count()
        except Exception:  # any failure to read the index means "not ready"
            return False
        return True

    # -- writing -------------------------------------------------------------------------

    def writer(self, timeout: float = WRITE_TIMEOUT, **kwargs: Any) -> SegmentWriter:
        """A writer, waiting at most ``timeout`` seconds for the index lock (``LockError``).

        No field-length statistics are written: relevance does not use them, and computing
        them costs a file-system look-up per posting.
        """
        if "codec" not in kwargs:
            kwargs["codec"] = codec = W3Codec()
            codec.length_stats = False
        return self.open().writer(timeout=timeout, **kwargs)

    def writer_waiting(self, timeout: float = WRITE_TIMEOUT, attempts: int = WRITE_ATTEMPTS,
                       **kwargs: Any) -> SegmentWriter:
        """A writer, trying ``attempts`` times for the lock (``LockError`` after the last)."""
        for attempt in range(1, attempts + 1):
            try:
                return self.writer(timeout, **kwargs)
            except LockError:
                if attempt == attempts:
                    raise
                time.sleep(0.05 * attempt)
        raise LockError("unreachable")

    @contextlib.contextmanager
    def writing(self, timeout: float = WRITE_TIMEOUT, attempts: int = WRITE_ATTEMPTS,
                **kwargs: Any) -> Iterator[SegmentWriter]:
        """A writer that is committed at the end, or cancelled on error; retries a held lock."""
        commit = kwargs.pop("commit", {})
        writer = self.writer_waiting(timeout, attempts, **kwargs)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(**commit)

    def rebuild(self, session: Session) -> int:
        """Clear the index and index every published service again; returns the count.

        Searchers keep seeing the old index until the new one is committed, all at once. The
        documents go into segments of ``SEGMENT_DOCS`` each, so no writer's pool outgrows
        memory (Whoosh would spill it to disk and merge it back, several times slower).
        """
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not self.exists() or signature(self.open().schema) != signature(SCHEMA):
                whoosh_index.create_in(str(self.directory), SCHEMA)  # new or changed schema
                self.reset()
            ids = indexable_ids(session)
            main = self.writer(timeout=30.0)
            segments: list[Any] = []
            sub: SegmentWriter | None = None
            gc_was_enabled = gc.isenabled()
            gc.disable()  # millions of small objects and no cycles: the collector only slows this
            try:
                added = 0
                for _service_id, document in iter_documents(session, ids):
                    if document is None:
                        continue
                    if sub is None:
                        sub = SegmentWriter(self.open(), _lk=False, codec=main.codec, limitmb=512)
                    sub.add_document(**document)
                    added += 1
                    if added % SEGMENT_DOCS == 0:
                        segments.append(_finish_part(sub))
                        sub = None
                if sub is not None:
                    segments.append(_finish_part(sub))
                    sub = None
                main._close_segment()
                main._commit_toc(segments)  # the new segments only: the old ones are cleared
                main._finish()
            except BaseException:
                if sub is not None:
                    sub.cancel()
                main.cancel()
                raise
            finally:
                if gc_was_enabled:
                    gc.enable()
            return added

    def heal(self, session: Session) -> int:
        """Recreate a lost or corrupt index from the database (one process at a time)."""
        self.reset()
        lock_path = self.directory.with_name(self.directory.name + ".heal-lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                if self.healthy():
                    return -1  # another process healed it while we waited
                if not self.directory.exists():
                    log.info("building the search index at %s from the database", self.directory)
                else:
                    log.warning("search index at %s is unreadable: rebuilding it", self.directory)
                if self.directory.exists() or self.directory.is_symlink():
                    aside = self.directory.with_name(f"{self.directory.name}.broken-{time.time_ns()}")
                    self.directory.rename(aside)
                    shutil.rmtree(aside, ignore_errors=True)
                    with contextlib.suppress(OSError):
                        aside.unlink()
                self.directory.mkdir(parents=True)
                whoosh_index.create_in(str(self.directory), SCHEMA)
                self.reset()
                return self.rebuild(session)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    # -- checking ------------------------------------------------------------------------

    def verify(self, session: Session) -> Difference:
        """Compare every document with what the database says it should be."""
        indexed: dict[str, str] = {}
        duplicates: list[str] = []
        with self.reading() as (searcher, _bits):
            for stored in searcher.all_stored_fields():
                if stored["id"] in indexed:
                    duplicates.append(stored["id"])
                indexed[stored["id"]] = stored.get("fingerprint", "")
        expected = {sid: doc["fingerprint"] for sid, doc in
                    iter_documents(session, indexable_ids(session)) if doc is not None}
        return Difference(
            missing=sorted(set(expected) - set(indexed)),
            extra=sorted((set(indexed) - set(expected)) | set(duplicates)),
            stale=sorted(sid for sid, fp in expected.items() if sid in indexed and indexed[sid] != fp),
        )
