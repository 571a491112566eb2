"""Document sets as Python integers (bit n = document n), for fast filters and facet counts.

Whoosh counts facets by visiting every matching document, which is slow for large result
sets. Here each keyword value (a locality, a day, a flag...) and each searched word becomes a
bitset once per index segment; filtering is ``&``/``|`` and a facet count is ``bit_count()``,
whatever the number of matches. Segment bitsets are kept across index generations (segments
are immutable apart from deletions, which are applied through the live-documents set).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from portal.search.schema import BITSET_FIELDS

MAX_WORD_CACHE = 20_000


def from_ids(ids: Iterable[int], size: int) -> int:
    buffer = bytearray((size + 7) >> 3)
    for docnum in ids:
        buffer[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(buffer, "little")


def iter_bits(bits: int) -> Iterator[int]:
    """Set bit positions in ascending order."""
    if not bits:
        return
    text = format(bits, "b")
    top = len(text) - 1
    position = text.rfind("1")
    while position != -1:
        yield top - position
        position = text.rfind("1", 0, position)


def _posting_ids(matcher: Any) -> Iterator[int]:
    """All document numbers of one posting list, a block at a time where the codec allows.

    Deleted documents are included (callers intersect with the live set).
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            yield from matcher._ids
            matcher._next_block()
    else:
        yield from matcher.all_ids()


class SegmentBits:
    """Bitsets for one segment; local document numbers."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        self.fields: dict[str, dict[str, int]] = {}
        for field in BITSET_FIELDS:
            values: dict[str, int] = {}
            for term in reader.lexicon(field):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                values[text] = from_ids(_posting_ids(reader.postings(field, term)), self.size)
            self.fields[field] = values
        self.words: dict[tuple[str, str], int] = {}
        self._ids: dict[str, int] | None = None

    def ids(self) -> dict[str, int]:
        """Service id -> local document number (read once per segment, when first needed)."""
        if self._ids is None:
            self._ids = {stored["id"]: docnum for docnum, stored in self.reader.iter_docs()}
        return self._ids

    def word(self, field: str, text: str) -> int:
        key = (field, text)
        bits = self.words.get(key)
        if bits is None:
            if len(self.words) > MAX_WORD_CACHE:
                self.words.clear()
            try:
                matcher = self.reader.postings(field, text)
            except TermNotFound:
                bits = 0
            else:
                bits = from_ids(_posting_ids(matcher), self.size)
            self.words[key] = bits
        return bits


class SearcherBits:
    """Bitsets over a whole searcher (all segments, global document numbers)."""

    def __init__(self, leaves: list[tuple[SegmentBits, int, Iterable[int]]],
                 lock: Any = None) -> None:
        self.lock = lock if lock is not None else threading.RLock()  # around Whoosh's reads
        self.leaves = [(bits, offset) for bits, offset, _deleted in leaves]
        self.size = sum(bits.size for bits, _offset, _deleted in leaves)
        deleted = [offset + d for _bits, offset, gone in leaves for d in gone]
        self.live = ((1 << self.size) - 1) & ~from_ids(deleted, self.size)
        self.fields: dict[str, dict[str, int]] = {}
        for field in BITSET_FIELDS:
            merged: dict[str, int] = {}
            for bits, offset in self.leaves:
                for value, local in bits.fields[field].items():
                    merged[value] = merged.get(value, 0) | (local << offset)
            self.fields[field] = {value: mask & self.live for value, mask in merged.items()}
        self._words: dict[tuple[str, str], int] = {}
        self.memo: dict[object, int] = {}  # derived sets (stale, ages) for this generation
        self.cache: dict[str, object] = {}  # other per-generation values (spelling vocabulary)

    def value(self, field: str, value: str) -> int:
        return self.fields.get(field, {}).get(value, 0)

    def any_of(self, field: str, values: Iterable[str]) -> int:
        result = 0
        table = self.fields.get(field, {})
        for value in values:
            result |= table.get(value, 0)
        return result

    def of_ids(self, service_ids: Iterable[str]) -> int:
        """The live documents of these services."""
        wanted = set(service_ids)
        bits = 0
        with self.lock:
            for segment, offset in self.leaves:
                local = segment.ids()
                bits |= from_ids((local[i] for i in wanted if i in local), segment.size) << int(offset)
        return int(bits & self.live)

    def word(self, field: str, text: str) -> int:
        key = (field, text)
        bits = self._words.get(key)
        if bits is None:
            if len(self._words) > MAX_WORD_CACHE:
                self._words.clear()
            bits = 0
            with self.lock:
                for segment, offset in self.leaves:
                    bits |= segment.word(field, text) << offset
            bits &= self.live
            self._words[key] = bits
        return bits


def build(reader: Any, cache: dict[str, SegmentBits], lock: Any = None) -> SearcherBits:
    """Bitsets for a reader, reusing ``cache`` (segment id -> SegmentBits) and pruning it."""
    leaves = []
    seen = set()
    for leaf, offset in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None:  # an empty index
            continue
        segid = segment.segment_id()
        seen.add(segid)
        bits = cache.get(segid)
        if bits is None or bits.size != leaf.doc_count_all():
            bits = cache[segid] = SegmentBits(leaf)
        bits.reader = leaf  # the current generation's reader for this segment
        leaves.append((bits, offset, list(segment.deleted_docs())))
    for segid in set(cache) - seen:
        del cache[segid]
    return SearcherBits(leaves, lock)  # type: ignore[arg-type]  # Whoosh offsets are ints
