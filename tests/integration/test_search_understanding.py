"""Search that understands how people ask, through the pages: partial matches, corrected
spelling, lay phrases reaching their need, places, crisis words, other languages, and the same
understanding in guidance search and on the combined page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine

from portal.directory.reference import load_reference_taxonomies
from tests.helpers.factories import fresh_content_index, fresh_search_index, make_listing, make_locality
from tests.integration.test_search_page import search, text_of

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def index(search_engine):
    """Each test runs on every search engine the database allows (``search_engine``)."""
    return search_engine


@pytest.fixture
def places(session):
    load_reference_taxonomies(session)
    found = {}
    for slug, name in (("torquay", "Torquay"), ("paignton-brixham", "Paignton & Brixham")):
        found[slug] = make_locality(session, slug)
        found[slug].name = name
    session.flush()
    return found


def test_a_sentence_returns_partial_matches_best_first(client, session, index, places):
    make_listing(session, name="Energy bills advice", description="Help with gas and electric bills.",
                 terms=["energy-bills"])
    make_listing(session, name="Gas safety talks", description="Learn about carbon monoxide.")
    make_listing(session, name="Knit and natter", description="Bring your needles.")
    names, _html = search(client, "q=i+need+help+with+my+gas+and+electric+bills+please")
    assert names[0] == "Energy bills advice"
    assert "Knit and natter" not in names


def test_a_query_whose_words_do_not_all_match_returns_the_best_partial_matches(
        client, session, index, places):
    make_listing(session, name="Knit and natter", description="Bring your needles.",
                 terms=["arts-and-crafts"])
    make_listing(session, name="Computer class", description="For complete beginners.",
                 terms=["digital-skills"])
    make_listing(session, name="Swimming", description="Lengths at the pool.",
                 terms=["swimming-and-water"])
    names, _html = search(client, "q=knitting+group+for+beginners+on+tuesdays")
    assert names == ["Knit and natter", "Computer class"]


def test_filler_words_alone_still_search(client, session, index, places):
    make_listing(session, name="Help desk", description="Drop in for help.")
    names, _html = search(client, "q=help")
    assert names == ["Help desk"]


def test_a_lay_phrase_reaches_its_need_with_no_word_in_common(client, session, index, places):
    make_listing(session, name="After Loss Coffee Morning", description="A relaxed morning.",
                 terms=["bereavement-groups"])
    make_listing(session, name="Wife and husband dance class", description="Ballroom for couples.",
                 terms=["physical-activity"])
    names, _html = search(client, "q=since+my+wife+died")
    assert names[0] == "After Loss Coffee Morning"


def test_trap_a_word_in_a_wrong_service_does_not_outrank_the_right_one(client, session, index, places):
    make_listing(session, name="Walking football", description="Slower football for over 50s.",
                 terms=["walking-football"])
    make_listing(session, name="Football memories", description="Talk about the old games.",
                 terms=["music-and-memory"])
    make_listing(session, name="Walking group", description="Coast walks.", terms=["walking-groups"])
    names, _html = search(client, "q=walking+football")
    assert names[0] == "Walking football"
    names, _html = search(client, "q=my+mum+keeps+forgetting+things")
    assert names == ["Football memories"]  # "mum" alone is not a need; forgetting is memory


def test_misspelt_words_are_corrected_and_real_words_kept(client, session, index, places):
    make_listing(session, name="Bereavement Support Line", terms=["bereavement-counselling"])
    make_listing(session, name="Teach yourself tablets", description="Learn the tablet at your pace.",
                 terms=["digital-skills"])
    names, html = search(client, "q=bereavement+suport")
    assert names == ["Bereavement Support Line"]
    assert "Showing results for bereavement support" in text_of(html)
    names, html = search(client, "q=teach+tablets")
    assert names == ["Teach yourself tablets"]
    assert "Showing results for" not in html


def test_a_place_in_the_words_ranks_by_where_services_work(client, session, index, places):
    make_listing(session, name="Carers Together", terms=["carers-groups"], localities=[places["torquay"]])
    make_listing(session, name="Carers Cuppa", terms=["carers-groups"],
                 localities=[places["paignton-brixham"]])
    make_listing(session, name="Paignton Pier Singers", terms=["arts-and-crafts"],
                 localities=[places["paignton-brixham"]])
    names, _html = search(client, "q=carers+support+paignton")
    assert names[0] == "Carers Cuppa"
    assert names[1] == "Carers Together"  # answers the words elsewhere: before a mere place match


def test_crisis_words_put_the_urgent_help_box_first_and_still_show_results(client, session, index, places):
    make_listing(session, name="Breathe Easy", terms=["heart-and-lung"])
    names, html = search(client, "q=cant+breathe")
    assert names == ["Breathe Easy"]
    assert html.index('id="urgent-help-now"') < html.index("portal-result__name")
    assert "Call 999 now" in text_of(html)
    assert "0300 456 7890" in text_of(html)
    _names, calm = search(client, "q=breathing+group")
    assert 'id="urgent-help-now"' not in calm


@pytest.mark.parametrize("words", ["samotność", "samotnosc", "klub obiadowy", "وحدة"])
def test_polish_and_arabic_words_reach_the_english_listings(client, session, index, places, words):
    make_listing(session, name="Friendship Club", terms=["social-clubs"])
    make_listing(session, name="Lunch Club", terms=["lunch-clubs"])
    names, html = search(client, "q=" + words)
    assert names[0] == ("Lunch Club" if "obiad" in words else "Friendship Club")
    assert "Listings are in English" in text_of(html)


@pytest.fixture
def starter(app, session, tmp_path):
    with time_machine.travel(date(2026, 11, 23), tick=False), \
            fresh_content_index(app, tmp_path / "content-index"):
        result = app.test_cli_runner().invoke(args=["content", "sync", "--from", str(CONTENT)])
        assert result.exit_code == 0, result.output
        yield


@pytest.mark.parametrize(("words", "slug"), [
    ("lonley", "loneliness-getting-connected"),
    ("alzheimers", "memory-worries-dementia"),
    ("memory problems mum", "memory-worries-dementia"),
    ("looking after my husband", "carer-wellbeing"),
])
def test_guidance_search_understands_the_same_way(client, starter, words, slug):
    with time_machine.travel(date(2026, 11, 23), tick=False):
        page = client.page("/guidance/search?q=" + words.replace(" ", "+"))
    first = next(link for link in page.links if link.startswith("/guidance/")
                 and link.count("/") == 2 and "search" not in link and link != "/guidance/")
    assert first == f"/guidance/{slug}"


def test_guidance_search_says_what_it_corrected(client, starter):
    with time_machine.travel(date(2026, 11, 23), tick=False):
        page = client.page("/guidance/search?q=dementa")
        exact = client.page("/guidance/search?q=dementa&spell=off")
    assert "Showing results for dementia" in page.text
    assert "/guidance/search?q=dementa&spell=off" in page.links
    assert "/guidance/memory-worries-dementia" in page.links
    assert "0 results" in exact.text


def test_combined_page_keeps_the_services_correction_and_urgent_box(app, client, session, tmp_path, places):
    make_listing(session, name="Befriending visits", terms=["befriending-visits"])
    with fresh_search_index(app, tmp_path / "index"), \
            fresh_content_index(app, tmp_path / "content-index"):  # not the app's shared one
        page = client.page("/search?q=befreinding")
        urgent = client.page("/search?q=want+to+end+it")
    assert "Showing results for befriending" in page.text
    assert "Befriending visits" in page.text
    assert "/services?q=befriending" in page.links
    assert "Call 999 now" in urgent.text


def test_with_a_postcode_a_relevant_service_a_little_further_beats_a_near_irrelevant_one(
        client, session, index, places):
    from tests.helpers.factories import make_postcode
    from tests.integration.test_search_page import NEAR, PAIGNTON, TORQUAY

    make_postcode(session, "TQ1 1AA", **TORQUAY)
    make_listing(session, name="Carers walk", description="A walk for carers.", terms=["carers-groups"],
                 venues=[PAIGNTON])  # about 4 km away, answers both words
    make_listing(session, name="Coast walk", description="Along the front.", terms=["walking-groups"],
                 venues=[NEAR])  # next door, answers only "walk"
    names, _html = search(client, "q=carers+walk&postcode=TQ1+1AA")
    assert names == ["Carers walk", "Coast walk"]
    by_distance, _html = search(client, "q=carers+walk&postcode=TQ1+1AA&sort=distance")
    assert by_distance == ["Coast walk", "Carers walk"]
