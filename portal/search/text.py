"""What someone typed, made safe and searchable: words, synonyms, spelling, highlights.

Nothing a person types is parsed as query syntax: text is cut to ``MAX_QUERY_CHARS``, split
into words, and each word is looked up as a plain term, so ``AND ( * " ~`` mean nothing.
Every word must match (in any text field); a lay synonym (``data/synonyms.txt``) widens the
query with its key, as that file's header describes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from whoosh import highlight

from portal.search.bitsets import SearcherBits
from portal.search.schema import TEXT_ANALYZER, TEXT_FIELDS, index_words

MAX_QUERY_CHARS = 200
MAX_WORDS = 16
SYNONYMS_FILE = Path(__file__).resolve().parents[1] / "directory" / "data" / "synonyms.txt"
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "-": " ", "\u2010": " ", "\u2011": " ",
                         "\u2013": " ", "\u2014": " "})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)


def clean(text: str | None) -> str:
    """Typed text made safe: no control characters, at most ``MAX_QUERY_CHARS`` characters."""
    if not text:
        return ""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text[:MAX_QUERY_CHARS * 2])
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def words(text: str) -> list[str]:
    """Lower-case words, with curly quotes straightened and hyphens as spaces."""
    return _WORD.findall(text.lower().translate(_QUOTES))[:MAX_WORDS]


def stems(text: str) -> list[str]:
    """Indexed forms of the words in ``text`` (stop words dropped): "walks" -> ["walk"]."""
    return index_words(text)


@dataclass(frozen=True)
class Synonyms:
    phrases: dict[tuple[str, ...], tuple[str, ...]]  # synonym words -> keys
    longest: int

    def keys_in(self, query_words: list[str]) -> tuple[list[str], set[int]]:
        """Keys whose synonyms appear in the query, and the positions of words they cover."""
        keys: list[str] = []
        covered: set[int] = set()
        for size in range(min(self.longest, len(query_words)), 0, -1):
            for start in range(len(query_words) - size + 1):
                found = self.phrases.get(tuple(query_words[start:start + size]))
                if found:
                    keys.extend(k for k in found if k not in keys)
                    covered.update(range(start, start + size))
        return keys, covered


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    phrases: dict[tuple[str, ...], list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, _sep, rest = line.partition(":")
        key = key.strip()
        for synonym in rest.split(","):
            phrase = tuple(words(synonym))
            if phrase and key not in phrases.setdefault(phrase, []):
                phrases[phrase].append(key)
    longest = max((len(p) for p in phrases), default=1)
    return Synonyms({p: tuple(k) for p, k in phrases.items()}, longest)


@dataclass
class TextQuery:
    """A parsed text query: the person's words, their stems, and synonym keys."""

    text: str = ""
    words: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    covered: set[int] = field(default_factory=set)
    rest: list[str] = field(default_factory=list)  # stems of words no synonym covers

    @property
    def is_empty(self) -> bool:
        return not self.stems and not self.keys


def parse(text: str | None) -> TextQuery:
    cleaned = clean(text)
    query_words = words(cleaned)
    keys, covered = load_synonyms().keys_in(query_words)
    rest = stems(" ".join(w for i, w in enumerate(query_words) if i not in covered))
    return TextQuery(cleaned, query_words, stems(" ".join(query_words)), keys, covered, rest)


@dataclass
class Expansion:
    code: str | None  # a taxonomy term code, or None for a text key
    stems: list[str]


def _word_bits(bits: SearcherBits, stem: str) -> int:
    result = 0
    for name in TEXT_FIELDS:
        result |= bits.word(name, stem)
    return result


def _all_of(bits: SearcherBits, word_stems: list[str]) -> int:
    result = -1
    for stem in word_stems:
        result &= _word_bits(bits, stem)
        if not result:
            return 0
    return result if word_stems else 0


def matching(bits: SearcherBits, query: TextQuery, expansions: list[Expansion]) -> int:
    """The documents the text matches: all the words, or a synonym's key with the other words."""
    widened = 0
    for expansion in expansions:
        if expansion.code:
            widened |= bits.value("codes", expansion.code)
        widened |= _all_of(bits, expansion.stems)
    if widened and query.rest:
        widened &= _all_of(bits, query.rest)
    return (_all_of(bits, query.stems) | widened) & bits.live


def weights(bits: SearcherBits, query: TextQuery, expansions: list[Expansion]) -> list[tuple[float, int]]:
    """(weight, documents) for each word in each text field: relevance is the sum of the
    weights of a document's matches (field boost x rarity of the word).

    Whoosh's BM25F would also weigh term frequency and field length; listings are short, and
    scoring with bitsets keeps searches fast whatever the number of matches.
    """
    live = max(bits.live.bit_count(), 1)
    found: list[tuple[float, int]] = []

    def add(stem: str, boost: float) -> None:
        per_field = [(weight, bits.word(name, stem)) for name, weight in TEXT_FIELDS.items()]
        documents = 0
        for _weight, mask in per_field:
            documents |= mask
        rarity = 1.0 + math.log(live / (1 + documents.bit_count()))
        found.extend((weight * boost * rarity, mask) for weight, mask in per_field if mask)

    for stem in dict.fromkeys(query.stems):
        add(stem, 1.0)
    for expansion in expansions:
        if expansion.code:
            mask = bits.value("codes", expansion.code)
            if mask:
                found.append((2.0 * (1.0 + math.log(live / (1 + mask.bit_count()))), mask))
        for stem in dict.fromkeys(expansion.stems):
            add(stem, 0.5)
    return found


def highlight_terms(query: TextQuery, expansions: list[Expansion]) -> frozenset[str]:
    terms = set(query.stems)
    for expansion in expansions:
        terms.update(expansion.stems)
    return frozenset(terms)


def suggest(searcher: Any, query: TextQuery) -> str | None:
    """"Did you mean": the query with unknown words replaced by the nearest indexed word."""
    reader = searcher.reader()
    corrector = None
    changed = False
    corrected = list(query.words)
    for position, word in enumerate(query.words):
        if position in query.covered or not 4 <= len(word) <= 24 or not word.isalpha():
            continue
        forms = index_words(word, spelling=True)
        if not forms or ("vocab", forms[0]) in reader:
            continue
        corrector = corrector or searcher.corrector("vocab")
        for distance in (1, 2):
            found = corrector.suggest(forms[0], limit=1, maxdist=distance, prefix=1)
            if found:
                corrected[position] = found[0]
                changed = True
                break
    return " ".join(corrected) if changed else None


class _MarkFormatter(highlight.HtmlFormatter):
    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"


def highlighted(text: str, terms: frozenset[str], *, whole: bool, limit: int = 280) -> str:
    """Escaped HTML of ``text`` with matched words in <mark>; never raw user or editor HTML.

    ``whole=False`` shows the opening of the text (up to ``limit`` characters, cut at a word).
    """
    ending = ""
    if not whole and len(text) > limit:
        text, ending = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:"), " …"
    if terms and text:
        marked = highlight.highlight(text, terms, TEXT_ANALYZER, highlight.WholeFragmenter(),
                                     _MarkFormatter(), top=1)
        if marked:
            return marked + ending
    return escape(text, quote=False) + ending
