"""The Whoosh schema for published services. Only public fields go in.

Text is analysed here, once per distinct word, with an English stemming analyzer ("walks" and
"walking" both index as "walk"); each field then holds the distinct analysed words separated
by spaces. Relevance comes from bitsets (``text.weights``), so no term frequencies, positions
or field lengths are kept: a smaller index and much faster builds. Filter fields are keywords,
and each document's filter values are also what facet counts are made of (see ``bitsets``).
Confidential venues contribute neither address nor coordinates.
"""

from __future__ import annotations

import re

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    SpaceSeparatedTokenizer,
    StemmingAnalyzer,
    StopFilter,
)
from whoosh.analysis.tokenizers import default_pattern
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.formats import Existence
from whoosh.support.charset import accent_map

TEXT_ANALYZER = StemmingAnalyzer(cachesize=-1) | CharsetFilter(accent_map)
SPELLING_ANALYZER = (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
                     | StopFilter(minsize=3))
WORDS_ANALYZER = SpaceSeparatedTokenizer()


# Whoosh's default token pattern, without its capturing group (so ``findall`` gives tokens).
_TOKEN = re.compile(default_pattern.pattern.replace("(\\.?", "(?:\\.?"), default_pattern.flags)
_ANALYSED: dict[bool, dict[str, str]] = {False: {}, True: {}}
_CACHE_LIMIT = 500_000


def _analyse(word: str, spelling: bool) -> str:
    analyzer = SPELLING_ANALYZER if spelling else TEXT_ANALYZER
    return next((token.text for token in analyzer(word)), "")


def index_words(text: str, *, spelling: bool = False) -> list[str]:
    """The distinct analysed words of ``text``, in order, exactly as ``TEXT_ANALYZER`` (or the
    spelling analyzer) would give them: each token is analysed on its own, once per process."""
    cache = _ANALYSED[spelling]
    found: dict[str, None] = {}
    for token in _TOKEN.findall(text):
        analysed = cache.get(token)
        if analysed is None:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            analysed = cache[token] = _analyse(token, spelling)
        if analysed:
            found[analysed] = None
    return list(found)


# Text fields searched for words, with their weights in relevance (see ``text.weights``).
TEXT_FIELDS = {"name": 3.0, "terms": 2.0, "organisation": 1.5, "description": 1.0, "details": 0.7}
# Keyword fields used as filters and facets.
FACET_FIELDS = ("locality", "category", "days", "attendance", "flags")
# Keyword fields read as bitsets for ranking and filtering, but not shown as facets.
BITSET_FIELDS = (*FACET_FIELDS, "open_at", "geo", "checked", "age")

FLAG_FREE = "free"
FLAG_EVENING = "evening"
FLAG_WEEKEND = "weekend"
FLAG_REMOTE = "remote"  # online or telephone, with no public venue
FLAG_APPOINTMENT = "appointment"
CHECKED_NEVER = "never"


class Words(TEXT):
    """Space-separated words, indexed as given (already analysed by ``index_words``), presence
    only: no frequencies, positions or lengths. Skips Whoosh's per-token analysis objects."""

    def __init__(self) -> None:
        super().__init__(analyzer=WORDS_ANALYZER, phrase=False)
        self.format = Existence()
        self.scorable = False

    def index(self, value: str, **kwargs: object) -> list[tuple[bytes, int, float, bytes]]:
        return [(word.encode("utf-8"), 1, 1.0, b"") for word in sorted(set(value.split()))]


def _words() -> Words:
    return Words()


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        name=_words(),
        terms=_words(),
        organisation=_words(),
        description=_words(),
        details=_words(),
        vocab=_words(),
        codes=_words(),
        locality=_words(),
        category=_words(),
        days=_words(),
        open_at=_words(),
        attendance=_words(),
        flags=_words(),
        geo=_words(),
        checked=_words(),
        age=_words(),
        show=STORED(),  # name, organisation and description as written, for results
        place=STORED(),
        fingerprint=STORED(),
    )


SCHEMA = build_schema()


def signature(schema: Schema) -> list[tuple[str, str, str]]:
    """What must match for an existing index to be updated rather than rebuilt."""
    return [(name, type(field).__name__, type(field.format).__name__ if field.format else "")
            for name, field in schema.items()]
