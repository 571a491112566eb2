"""Typed text made safe and searchable: cleaning, stems, synonyms, highlights."""

from __future__ import annotations

from portal.search import text
from portal.search.schema import TEXT_ANALYZER, index_words


def test_stems_of_walks_and_walking_are_the_same():
    assert text.stems("walks") == text.stems("walking") == text.stems("Walk") == ["walk"]


def test_index_words_match_the_whoosh_analyzer_word_for_word():
    sample = "Men's Shed: woodworking & café, 10:30am, e.g. U.K. İstanbul; walking WALKS"
    expected = list(dict.fromkeys(token.text for token in TEXT_ANALYZER(sample)))
    assert index_words(sample) == expected


def test_clean_cuts_long_text_and_drops_control_characters():
    assert text.clean("lunch\x00club\x07 ") == "lunch club"
    assert len(text.clean("x" * 10_000)) == text.MAX_QUERY_CHARS
    assert text.clean(None) == ""


def test_parse_treats_search_syntax_as_plain_words():
    query = text.parse('walk AND ( * " ~ OR NOT title:x')
    assert query.words == ["walk", "and", "or", "not", "title", "x"]
    assert [unit.typed for unit in query.units] == ["walk", "title"]  # stop words and letters go
    assert query.keys == ["walking-groups"]  # "walk" is a lay word for walking groups


def test_nearest_word_prefers_the_closest_then_the_commoner_word():
    known = ["sport", "support", "supper", "befriending", "bereavement"]
    assert text.nearest_word("suport", known, frozenset({"sport"})) == "support"
    assert text.nearest_word("befreinding", known, frozenset()) == "befriending"  # a swap is one edit
    assert text.nearest_word("zzzz", known, frozenset()) is None
    assert text.nearest_word("spot", known, frozenset()) == "sport"
    assert text.nearest_word("bereav", known, frozenset()) is None  # too far for its length


def test_real_words_are_recognised_in_english_polish_and_arabic():
    assert text.is_real_word("teach") and text.is_real_word("boiler")
    assert text.is_real_word("praca") and text.is_real_word("عمل")
    assert not text.is_real_word("lonley") and not text.is_real_word("demensia")


def test_highlighted_marks_matched_words_and_escapes_everything_else():
    marked = text.highlighted("<b>Walking</b> & walks", frozenset({"walk"}), whole=True)
    assert marked == "&lt;b&gt;<mark>Walking</mark>&lt;/b&gt; &amp; <mark>walks</mark>"


def test_highlighted_shows_the_opening_of_long_text():
    marked = text.highlighted("Walk " * 100, frozenset(), whole=False, limit=22)
    assert marked == "Walk Walk Walk Walk …"
