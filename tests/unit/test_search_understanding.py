"""What a typed search means: folding, concepts, places, filler, crisis words, languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.search import understanding
from portal.search.understanding import fold, understand


def units(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(unit.typed, unit.keys) for unit in understand(text).units]


def test_fold_ignores_case_apostrophes_accents_and_arabic_variants():
    assert fold("Can\u2019t".replace("\u2019", "'")) == "cant"
    assert fold("SAMOTNOŚĆ") == fold("samotnosc") == "samotnosc"
    assert fold("Łódź") == "lodz"
    assert fold("الوحدة") == fold("وحده") == "وحده"  # article dropped, taa marbuta unified


def test_everyday_filler_is_dropped_but_never_empties_a_query():
    assert units("I am looking for a knitting group near me please") == [
        ("knitting group", ("arts-and-crafts",))]
    assert [unit.typed for unit in understand("help").units] == ["help"]
    assert understand("   ").is_empty


def test_longest_phrase_wins_and_covers_its_words():
    assert units("walking football") == [("walking football", ("walking-football",))]
    assert units("since my wife died") == [("since my wife died", ("bereavement",))]
    found = understand("just been diagnosed with dementia").units
    assert found[0].phrase and "dementia-advice" in found[0].keys


def test_relatives_are_not_needs_on_their_own():
    assert units("for my mum with dementia") == [("dementia", ("dementia-memory",))]
    assert units("looking after my husband") == [("looking after my husband", ("carers-support",))]


def test_phrases_match_other_word_forms_and_contractions():
    assert [keys for _typed, keys in units("cant get out of the house")] == \
        [keys for _typed, keys in units("can't get out of the house")] == [("befriending-visits",)]
    assert units("walks")[0][1] == units("walking")[0][1] == ("walking-groups",)


def test_places_are_taken_out_of_the_words():
    query = understand("carers support paignton")
    assert query.localities == ["paignton-brixham"]
    assert query.place_words == ["paignton"]
    assert [unit.typed for unit in query.units] == ["carers", "support"] or \
        [unit.typed for unit in query.units] == ["carers support"]
    plymouth = understand("food bank plymouth")
    assert {"city-centre", "devonport", "plymstock"} <= set(plymouth.localities)
    assert understand("memory cafe in the hoe").localities == ["city-centre"]


@pytest.mark.parametrize("words", ["cant breathe", "I can't breathe", "chest pain", "want to end it",
                                   "i want to end it all", "Suicidal", "chcę umrzeć"])
def test_crisis_words_are_urgent(words):
    assert understand(words).urgent


@pytest.mark.parametrize("words", ["breathing group", "stroke", "heart and lung", "end of life care"])
def test_ordinary_health_words_are_not_urgent(words):
    assert not understand(words).urgent


def test_polish_and_arabic_reach_the_same_needs_and_say_their_language():
    for words, key in (("samotność", "befriending"), ("klub obiadowy", "lunch-clubs"),
                       ("بنك الطعام", "food-banks"), ("الخرف", "dementia-memory")):
        query = understand(words)
        assert key in query.keys, words
    assert understand("klub obiadowy").languages == {"pl"}
    assert understand("بنك الطعام").languages == {"ar"}
    assert understand("lunch club").languages == set()


def test_concept_map_file_format(tmp_path: Path):
    path = tmp_path / "concepts.txt"
    path.write_text("# comment\n\nfood-banks: food parcel, can\u2019t afford food\n"
                    "[pl]\nfood-banks: bank żywności\n", encoding="utf-8")
    concepts = understanding.load_concepts(path)
    keys = [understanding.key_of(w) for w in ["cant", "afford", "food"]]
    assert [(s, n, e.keys) for s, n, e in concepts.find(keys, set())] == [(0, 3, ("food-banks",))]
    own = [understanding.key_of(w) for w in ["food", "banks"]]  # the key's own words
    assert concepts.find(own, set())[0][2].keys == ("food-banks",)
    polish = [understanding.key_of(w) for w in ["bank", "zywnosci"]]
    assert concepts.find(polish, set())[0][2].language == "pl"


def test_the_shipped_concept_map_is_large_and_points_at_real_needs():
    import json

    codes = {term["code"] for term in json.loads(
        (understanding.DATA_DIR / "taxonomy.json").read_text(encoding="utf-8"))["terms"]}
    concepts = understanding.load_concepts()
    languages = {entry.language for entry in concepts.phrases.values()}
    assert len(concepts.phrases) > 1000 and languages == {"en", "pl", "ar"}
    text_keys = {key for entry in concepts.phrases.values() for key in entry.keys} - codes
    # Keys that are not needs are a few plain phrases searched as text (access, days, languages).
    assert text_keys <= {"step-free access", "accessible toilet", "hearing loop", "free", "evening",
                         "saturday", "sunday", "older people", "veterans", "polish", "arabic", "bsl"}
