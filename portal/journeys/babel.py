"""A Babel extractor for journey files (``translations/babel.cfg``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from portal.journeys.definition import strings


def extract_yaml(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                 ) -> Iterator[tuple[int, str, str, list[str]]]:
    for text in strings(yaml.safe_load(fileobj.read().decode("utf-8"))):
        yield 0, "gettext", text, []
