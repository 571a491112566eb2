from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.index import FileIndex

SCHEMA = Schema(
    doc_id=ID(stored=True, unique=True),
    kind=ID(stored=True),
    title=TEXT(stored=True),
    body=TEXT,
)


class SearchIndex:
    """Owns the index directory for one app; opens the index once per process."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._index: FileIndex | None = None

    @classmethod
    def for_app(cls, app: Flask | None = None) -> SearchIndex:
        target = app if app is not None else current_app
        return target.extensions["portal.search"]  # type: ignore[no-any-return]

    def init_app(self, app: Flask) -> None:
        app.extensions["portal.search"] = self

    def open(self) -> FileIndex:
        with self._lock:
            if self._index is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                if whoosh_index.exists_in(str(self.directory)):
                    self._index = whoosh_index.open_dir(str(self.directory))
                else:
                    self._index = whoosh_index.create_in(str(self.directory), SCHEMA)
            return self._index

    def rebuild(self) -> int:
        """Recreate the index from the database. Areas register their documents here."""
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._index = whoosh_index.create_in(str(self.directory), SCHEMA)
            return self._index.doc_count()

    def is_reachable(self) -> bool:
        try:
            with self.open().searcher() as searcher:
                searcher.doc_count()
        except Exception:  # any failure to read the index means "not ready"
            return False
        return True
