"""The text fields at the start of a multipart body too large to parse whole.

A browser sends a form's fields in page order, so the subject and message come before the
files. When the whole request is over the limit, werkzeug refuses it before reading anything;
this reads at most ``limit`` bytes of it, keeps the fields that come before the first file and
stops there, so the page can show the person what they typed.
"""

from __future__ import annotations

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wsgi import LimitedStream

CHUNK = 64 * 1024


def leading_fields(request: Request, limit: int = 1024 * 1024) -> dict[str, str] | None:
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary")
    length = request.content_length
    if mimetype != "multipart/form-data" or not boundary or not length:
        return None
    stream = LimitedStream(request.environ["wsgi.input"], length)
    decoder = MultipartDecoder(boundary.encode("latin-1"), max_form_memory_size=limit)
    fields: dict[str, str] = {}
    name: str | None = None
    value = bytearray()
    read = 0
    try:
        while read < limit:
            chunk = stream.read(CHUNK)
            read += len(chunk)
            decoder.receive_data(chunk or None)
            while not isinstance(event := decoder.next_event(), NeedData):
                if isinstance(event, File | Epilogue):
                    return fields
                if isinstance(event, Field):
                    name, value = event.name, bytearray()
                elif isinstance(event, Data) and name is not None:
                    value += event.data
                    if not event.more_data:
                        fields[name] = value.decode("utf-8", "replace")
                        name = None
            if not chunk:
                break
    except (ValueError, RequestEntityTooLarge):  # malformed, or one huge field: keep the rest
        return fields
    return fields
