"""Saved responses for care workers, from ``data/saved_responses.json`` (editable data)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

FILE = Path(__file__).parent / "data" / "saved_responses.json"


@lru_cache(maxsize=1)
def saved_responses() -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads(FILE.read_text(encoding="utf-8"))
    return data
