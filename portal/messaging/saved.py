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


def with_saved(typed: str | None, choice: str | None) -> str | None:
    """The reply typed so far with saved response ``choice`` (its index) added at the end, or
    None when there is no such response."""
    responses = saved_responses()
    if choice is None or not choice.isdigit() or int(choice) >= len(responses):
        return None
    body = responses[int(choice)]["body"]
    typed = (typed or "").rstrip()
    return f"{typed}\n\n{body}" if typed else body
