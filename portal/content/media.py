"""Video, captions and poster files: recognising them, storing them, and sending them with ranges.

Files are ``ContentMedia`` rows addressed by the SHA-256 of their bytes. Their URLs carry the
hash, so a URL always means the same bytes and is cached for a year (``immutable``). Sending
uses werkzeug's conditional responses: ``Range`` requests get ``206 Partial Content`` with
``Content-Range`` (seeking works), ``If-None-Match`` gets ``304``. Recently sent files are
kept in a small per-app memory cache (they never change), so seeking does not re-read a
video from the database for every range.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict

from flask import Flask, current_app, send_file
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.content.models import ContentMedia as ContentMedia  # re-exported

MAX_VIDEO_BYTES = 20_000_000
CACHE_BYTES = 64_000_000
ONE_YEAR = 31_536_000
VTT_TYPE = "text/vtt"
MAX_POSTER_BYTES = 300_000
EXTENSIONS = {"video/mp4": "mp4", "video/webm": "webm", VTT_TYPE: "vtt", "image/jpeg": "jpg",
              "image/png": "png"}
TYPES = {ext: content_type for content_type, ext in EXTENSIONS.items()}


def sniff_video(data: bytes) -> str | None:
    """``video/mp4`` (an ISO BMFF ``ftyp`` box), ``video/webm`` (an EBML header), or None."""
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "video/mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    return None


def sniff_image(data: bytes) -> str | None:
    """``image/jpeg`` or ``image/png`` from the file's first bytes (a video's poster), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(session: Session, data: bytes, content_type: str) -> ContentMedia:
    """The media row for these bytes, added if new (the same bytes are stored once)."""
    digest = sha256(data)
    row = session.get(ContentMedia, digest)
    if row is None:
        row = ContentMedia(sha256=digest, content_type=content_type, size=len(data), data=data)
        session.add(row)
        session.flush()
    return row


def file_name(row: ContentMedia) -> str:
    return f"{row.sha256}.{EXTENSIONS.get(row.content_type, 'bin')}"


def parse_name(name: str) -> tuple[str, str] | None:
    """``<sha256>.<ext>`` -> (sha256, content type), or None for anything else."""
    digest, _dot, ext = name.partition(".")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or ext not in TYPES:
        return None
    return digest, TYPES[ext]


class _Cache:
    """Least-recently-used bytes by hash, at most ``limit`` bytes in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, digest: str) -> tuple[bytes, str] | None:
        with self.lock:
            data = self.entries.get(digest)
            if data is not None:
                self.entries.move_to_end(digest)
            return data

    def put(self, digest: str, entry: tuple[bytes, str]) -> None:
        if len(entry[0]) > self.limit // 4:
            return
        with self.lock:
            if digest in self.entries:
                return
            self.entries[digest] = entry
            self.size += len(entry[0])
            while self.size > self.limit:
                _old, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[0])


def _cache(app: Flask) -> _Cache:
    cache = app.extensions.get("portal.content.media")
    if cache is None:
        cache = app.extensions.setdefault("portal.content.media", _Cache(CACHE_BYTES))
    return cache  # type: ignore[no-any-return]


def load_with_type(session: Session, digest: str) -> tuple[bytes, str] | None:
    """A file's bytes and content type, from the cache or the database."""
    cache = _cache(current_app)
    entry = cache.get(digest)
    if entry is None:
        row = session.get(ContentMedia, digest)
        if row is None:
            return None
        entry = (row.data, row.content_type)
        cache.put(digest, entry)
    return entry


def load(session: Session, digest: str) -> bytes | None:
    entry = load_with_type(session, digest)
    return entry[0] if entry is not None else None


def send(data: bytes, *, digest: str, content_type: str, public: bool) -> Response:
    """The file, honouring Range and If-None-Match; cached for a year when ``public``."""
    response = send_file(io.BytesIO(data), mimetype=content_type, conditional=True,
                         etag=digest, max_age=ONE_YEAR if public else 0)
    if public:
        response.cache_control.immutable = True
    else:
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.no_cache = True
    response.headers["Accept-Ranges"] = "bytes"
    if content_type == VTT_TYPE:
        response.headers["Content-Type"] = f"{VTT_TYPE}; charset=utf-8"
    return response
