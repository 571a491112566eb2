"""Counting searches that found nothing by month, locality and words, as they are recorded.

The figures (``portal.figures``) show these counts; working them out from every
``search_gap`` row at read time took seconds with a year of searches (docs/adr/0009).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from portal.figures.counts import Counting, bump, month_of
from portal.search.models import SearchGapCount, SearchGapLocalityCount, SearchGapWords

__all__ = ["count_gap", "gap_locality", "normalise_words"]

_NOT_WORD = re.compile(r"[^\w'\s-]+")
_SPACES = re.compile(r"\s+")
WORDS_LENGTH = 400


def normalise_words(text: str) -> str:
    """Words typed into a search, so that "Men's  Group!" and "men\u2019s group" count
    together."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", folded)).strip(" '-")[:WORDS_LENGTH]


def gap_locality(filters: dict[str, Any]) -> str:
    """The locality a search is counted in: the postcode's, else the first chosen, else ""."""
    near = filters.get("near_locality")
    if near:
        return str(near)
    chosen = filters.get("localities") or []
    return str(chosen[0]) if chosen and chosen[0] else ""


def count_gap(session: Counting, *, words: str, filters: dict[str, Any], at: datetime,
              n: int = 1) -> None:
    """Add ``n`` to the counts for the search's month, locality and words (one statement
    each: two searches at once both count)."""
    month, locality, normalised = month_of(at), gap_locality(filters)[:80], normalise_words(words)
    bump(session, SearchGapCount, {"month": month, "locality": locality, "words": normalised},
         count=n)
    bump(session, SearchGapLocalityCount, {"month": month, "locality": locality}, count=n)
    if normalised:
        bump(session, SearchGapWords, {"words": normalised}, total=n)
