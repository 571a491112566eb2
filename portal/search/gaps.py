"""Counting searches that found nothing by month, locality and words, as they are recorded.

The figures (``portal.figures``) show these counts; working them out from every
``search_gap`` row at read time took seconds with a year of searches (docs/adr/0009).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.search.models import SearchGapCount

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


def month_of(at: datetime) -> date:
    """The first of the month ``at`` falls in, in UTC (as the figures' months are)."""
    at = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return date(at.year, at.month, 1)


def count_gap(session: Session, *, words: str, filters: dict[str, Any], at: datetime,
              n: int = 1) -> None:
    """Add ``n`` to the count for the search's month, locality and words (one statement:
    two searches at once both count)."""
    values = {"month": month_of(at), "locality": gap_locality(filters)[:80],
              "words": normalise_words(words), "count": n}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SearchGapCount).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["month", "locality", "words"],
        set_={"count": SearchGapCount.count + statement.excluded["count"]}))
