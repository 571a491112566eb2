"""Typed text made safe and searchable: cleaning, stems, synonyms, highlights."""

from __future__ import annotations

from pathlib import Path

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
    assert query.stems == ["walk", "titl"]
    assert query.keys == ["walking-groups"]  # "walk" is a lay word for walking groups


def test_parse_finds_synonym_phrases_with_curly_quotes_and_hyphens():
    query = text.parse("I\u2019m lonely and have money worries, need a dial-a-ride")
    # Longer phrases first: "dial a ride", "money worries", then single words.
    assert query.keys == ["community-transport", "money-advice", "befriending", "transport"]
    assert query.rest == ["need"]


def test_synonyms_file_lines_widen_with_their_key_only(tmp_path: Path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\n\nfood-banks: food parcel, can\u2019t afford food\nfree: no cost\n",
                    encoding="utf-8")
    synonyms = text.load_synonyms(path)
    assert synonyms.keys_in(["can't", "afford", "food"]) == (["food-banks"], {0, 1, 2})
    assert synonyms.keys_in(["no", "cost"]) == (["free"], {0, 1})
    assert synonyms.keys_in(["food", "banks"]) == ([], set())


def test_highlighted_marks_matched_words_and_escapes_everything_else():
    marked = text.highlighted("<b>Walking</b> & walks", frozenset({"walk"}), whole=True)
    assert marked == "&lt;b&gt;<mark>Walking</mark>&lt;/b&gt; &amp; <mark>walks</mark>"


def test_highlighted_shows_the_opening_of_long_text():
    marked = text.highlighted("Walk " * 100, frozenset(), whole=False, limit=22)
    assert marked == "Walk Walk Walk Walk …"
