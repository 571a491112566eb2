"""What someone typed, made safe and searchable: words, synonyms, spelling, highlights.

Nothing a person types is parsed as query syntax: text is cut to ``MAX_QUERY_CHARS``, split
into words, and each word is looked up as a plain term, so ``AND ( * " ~`` mean nothing.
What the words mean (concepts, places, filler, crisis) is ``understanding``'s; this module asks
the index: which listings match, how they weigh, and which unknown words to correct.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import highlight
from wordfreq import zipf_frequency

from portal.search import understanding
from portal.search.bitsets import SearcherBits
from portal.search.schema import TEXT_ANALYZER, TEXT_FIELDS, index_words

MAX_QUERY_CHARS = understanding.MAX_QUERY_CHARS
MAX_WORDS = understanding.MAX_WORDS
clean = understanding.clean
words = understanding.words
TextQuery = understanding.Understood
parse = understanding.understand

# Relevance (see ``plan``): a listing's score is the sum of the weights of what it matches.
ALL_BONUS = 1000.0  # answers every unit of the query: these come first
PLACE_BONUS = 400.0  # works in the place the query names
UNIT_BONUS = 6.0  # per unit answered (coordination), so more units beat one rare word
CODE_WEIGHT = 4.0  # tagged with a need the query's concept points at
PHRASE_FACTOR = 1.5  # a concept phrase of several words counts more than one ambiguous word
SPELLING_MIN_CHARS = 4
# A word at least this common in everyday English (Zipf scale, wordfreq's "small" list: 3 is
# about once in a million words) is a real word and is searched as typed, never "corrected".
REAL_WORD_ZIPF = 3.3


def stems(text: str) -> list[str]:
    """Indexed forms of the words in ``text`` (stop words dropped): "walks" -> ["walk"]."""
    return index_words(text)


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


@dataclass
class Plan:
    """What a query matches (``matching``) and how matches weigh (``weights``)."""

    matching: int
    weights: list[tuple[float, int]]


def plan(bits: SearcherBits, query: TextQuery,
         expansions: dict[str, Expansion]) -> Plan:
    """Rank, don't filter: every listing answering at least one unit matches; its score adds a
    coordination bonus per unit it answers, a large bonus when it answers them all (and another
    when it works in the place named), and field-weighted word matches times word rarity, in
    the spirit of BM25F without frequencies (listings are short)."""
    live = max(bits.live.bit_count(), 1)
    found: list[tuple[float, int]] = []

    def rarity(mask: int) -> float:
        return 1.0 + math.log(live / (1 + mask.bit_count()))

    def add(stem: str, boost: float) -> int:
        per_field = [(weight, bits.word(name, stem)) for name, weight in TEXT_FIELDS.items()]
        documents = 0
        for _weight, mask in per_field:
            documents |= mask
        weight_of_word = rarity(documents)
        found.extend((weight * boost * weight_of_word, mask) for weight, mask in per_field if mask)
        return documents

    every = -1
    anything = 0
    for unit in query.units:
        factor = PHRASE_FACTOR if unit.phrase else 1.0
        unit_mask = 0
        for key in unit.keys:
            expansion = expansions.get(key)
            if expansion is None:
                continue
            if expansion.code:
                mask = bits.word("codes", expansion.code)
                if mask:
                    found.append((CODE_WEIGHT * factor * rarity(mask), mask))
                    unit_mask |= mask
                for stem in dict.fromkeys(expansion.stems):
                    add(stem, 0.3)
            elif expansion.stems:
                mask = _all_of(bits, expansion.stems)
                unit_mask |= mask
                for stem in dict.fromkeys(expansion.stems):
                    add(stem, 0.5 * factor)
        if unit.stems:
            for stem in dict.fromkeys(unit.stems):
                add(stem, 0.5 if unit.keys else 1.0)
            unit_mask |= _all_of(bits, unit.stems)
        unit_mask &= bits.live
        if unit_mask:
            found.append((UNIT_BONUS * factor, unit_mask))
        every &= unit_mask
        anything |= unit_mask
    if len(query.units) > 1 and every:
        found.append((ALL_BONUS, every))
    if query.localities:
        near = bits.any_of("locality", query.localities)
        if not query.units:
            return Plan(near & bits.live, [])
        if near:
            found.append((PLACE_BONUS, near))
        for stem in stems(" ".join(query.place_words)):
            add(stem, 0.3)
    return Plan(anything & bits.live, found)


def highlight_terms(query: TextQuery, expansions: dict[str, Expansion]) -> frozenset[str]:
    terms = set(query.stems)
    for key in query.keys:
        expansion = expansions.get(key)
        if expansion is not None:
            terms.update(expansion.stems)
    return frozenset(terms)


def is_real_word(word: str) -> bool:
    """Whether ``word`` is a common word of English (or of Polish or Arabic)."""
    for language in ("en", "pl", "ar"):
        if zipf_frequency(word, language, wordlist="small") >= REAL_WORD_ZIPF:
            return True
    return False


def _max_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def corrections(in_index: Callable[[str], bool], known: list[str], query: TextQuery
                ) -> dict[str, str]:
    """Typed words that are unknown (to the index, the concept map and the place names) with a
    near known word: {typed word: correction}. Words that are real are kept.
    ``in_index(stem)``: whether any listing has that indexed word (the engine's answer)."""
    concepts = understanding.load_concepts()
    places = understanding.load_places()
    found: dict[str, str] = {}
    for unit in query.units:
        if unit.keys:
            continue
        word = unit.typed
        folded = understanding.fold(word)
        if (len(folded) < SPELLING_MIN_CHARS or not folded.isalpha() or folded in concepts.vocabulary
                or folded in places.vocabulary or is_real_word(folded)
                or any(in_index(s) for s in unit.stems)):
            continue
        better = nearest_word(folded, known, concepts.vocabulary)
        if better:
            found[word] = better
    return found


def nearest_word(word: str, known: list[str], preferred: frozenset[str]) -> str | None:
    """The known word nearest ``word`` (optimal string alignment: a swap of two letters is one
    edit), within 1 edit for words of up to 5 letters and 2 for longer ones; ties go to a word
    with the same first letter, then to the more common word in everyday English ("suport" is
    "support", not "sport"), then to ``preferred`` words, then to the closest length."""
    candidates = process.extract(word, known, scorer=OSA.distance,
                                 score_cutoff=_max_distance(word), limit=20)
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (c[1], c[0][:1] != word[:1],
                                          -round(zipf_frequency(c[0], "en", wordlist="small")),
                                          c[0] not in preferred, abs(len(c[0]) - len(word)), c[0]))
    return str(best[0])


def in_bits(bits: SearcherBits) -> Callable[[str], bool]:
    """``corrections``' question for the Whoosh engine: is the word in any text field?"""
    return lambda stem: bool(_word_bits(bits, stem))


def known_words(bits: SearcherBits, reader: Any) -> list[str]:
    """Words spelling correction may offer (``vocabulary``), cached for the index generation."""
    cached = bits.cache.get("known_words")
    if isinstance(cached, list):
        return cached
    words_known = vocabulary(term.decode("utf-8") if isinstance(term, bytes) else str(term)
                             for term in reader.lexicon("vocab"))
    bits.cache["known_words"] = words_known
    return words_known


def vocabulary(indexed: Iterable[str]) -> list[str]:
    """Words spelling correction may offer: the index's vocabulary (names and need names),
    the concept map's words and the place names."""
    found = set(indexed)
    found |= understanding.load_concepts().vocabulary
    found |= understanding.load_places().vocabulary
    return sorted(w for w in found if w.isalpha() and len(w) >= 3)


def corrected_text(query: TextQuery, changes: dict[str, str]) -> str:
    return " ".join(changes.get(word, word) for word in query.words)


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
            return str(marked) + ending
    escaped: str = escape(text, quote=False)
    return escaped + ending
