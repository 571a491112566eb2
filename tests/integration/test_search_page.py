"""The search page over HTTP: words, synonyms, spelling, filters and counts, place, freshness."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from portal.directory.reference import load_reference_taxonomies
from portal.moderation.policies import today
from portal.search import SearchIndex
from portal.search.models import SearchGap
from tests.helpers.factories import (
    make_listing,
    make_locality,
    make_postcode,
)
from tests.helpers.pages import check_page

LONDON = ZoneInfo("Europe/London")
TORQUAY = {"latitude": 50.46537, "longitude": -3.52804}
NEAR = {"name": "Church hall", "city": "Torquay", "postcode": "TQ1 1AB",
        "latitude": 50.4660, "longitude": -3.5290}
PAIGNTON = {"name": "Paignton hub", "city": "Paignton", "postcode": "TQ4 5AA",
            "latitude": 50.4353, "longitude": -3.5645}
NEWTON_ABBOT = {"name": "Market hall", "city": "Newton Abbot", "postcode": "TQ12 1AA",
                "latitude": 50.5289, "longitude": -3.6084}
PLYMOUTH = {"name": "City hall", "city": "Plymouth", "postcode": "PL1 1AA",
            "latitude": 50.3714, "longitude": -4.1422}


@pytest.fixture
def index(search_engine):
    """Each test runs on every search engine the database allows (``search_engine``)."""
    return search_engine


@pytest.fixture
def places(session):
    load_reference_taxonomies(session)
    make_postcode(session, "TQ1 1AA", **TORQUAY)
    make_postcode(session, "PL1 1AA", 50.3714, -4.1422)
    found = {}
    for slug, name in (("torquay", "Torquay"), ("plymstock", "Plymstock"), ("newton-abbot", "Newton Abbot")):
        found[slug] = make_locality(session, slug)
        found[slug].name = name
    session.flush()
    return found


def search(client, query: str) -> tuple[list[str], str]:
    """The result names on /services?query, and the page's HTML."""
    response = client.get(f"/services?{query}")
    check_page(response)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = re.findall(r'class="nhsuk-heading-s portal-result__name"><a href="[^"]+">(.*?)</a>', html)
    return [html_lib.unescape(re.sub(r"</?mark>", "", name)) for name in found], html


def stored_documents(session, engine) -> list[dict]:
    """What the engine keeps of each listing, whichever engine it is."""
    if isinstance(engine, SearchIndex):
        with engine.reading() as (searcher, _bits):
            return list(searcher.all_stored_fields())
    from portal.search.postgres import documents

    return [{**row.stored, "vocab": row.vocab, "tags": row.tags, "vector": row.vector}
            for row in session.execute(select(documents))]


def text_of(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_search_words_match_other_forms_of_the_word(client, session, index, places):
    make_listing(session, name="Seaside walking group", description="Gentle walking along the front.")
    make_listing(session, name="Knit and natter", description="Bring your needles.")
    names, html = search(client, "q=walks")
    assert names == ["Seaside walking group"]
    assert "1 service found" in text_of(html)
    assert "<mark>walking</mark>" in html


def test_search_ignores_accents_both_ways_and_weighs_the_name_most(client, session, index, places):
    make_listing(session, name="Naïve art café", description="Painting for beginners.")
    make_listing(session, name="Tuesday painting", description="Then tea at the cafe.")
    make_listing(session, name="Knit and natter", description="Bring your needles.")
    assert search(client, "q=cafe")[0] == ["Naïve art café", "Tuesday painting"]  # name first
    assert search(client, "q=café+naive")[0][0] == "Naïve art café"
    assert search(client, "q=CAFÉ")[0] == ["Naïve art café", "Tuesday painting"]


@pytest.mark.parametrize(("words", "term", "listing"), [
    ("lonely", "social-clubs", "Tuesday Club"),
    ("memory problems", "memory-cafes", "Remember When Café"),
    ("money worries", "debt-advice", "Bay Advice Line"),
    ("money worries", "benefits-advice", "Form Filling Help"),
])
def test_search_lay_words_find_services_through_synonyms(client, session, index, places, words,
                                                         term, listing):
    make_listing(session, name=listing, description="A friendly welcome for everyone.", terms=[term])
    make_listing(session, name="Unrelated swimming", description="Lengths at the pool.",
                 terms=["swimming-and-water"])
    names, _html = search(client, "q=" + words.replace(" ", "+"))
    assert names == [listing]


def test_search_misspelt_word_is_searched_corrected_and_can_be_searched_as_typed(
        client, session, index, places):
    make_listing(session, name="Befriending visits at home", terms=["befriending-visits"])
    names, html = search(client, "q=befreinding")
    assert names == ["Befriending visits at home"]
    assert "Showing results for befriending . Search instead for befreinding" in text_of(html)
    assert '<a href="/services?q=befreinding&amp;spell=off">befreinding</a>' in html
    names, html = search(client, "q=befreinding&spell=off")
    assert names == []
    assert "Showing results for" not in html


def test_search_keeps_real_words_it_knows(client, session, index, places):
    make_listing(session, name="Bowls club", description="Short mat bowls.")
    make_listing(session, name="Bowel cancer support", terms=["cancer-support"])
    names, html = search(client, "q=bowls")
    assert names == ["Bowls club"]
    assert "Showing results for" not in html


def _filter_world(session, places):
    make_listing(session, name="Saturday social", terms=["social-clubs"], is_free=True,
                 localities=[places["torquay"]], minimum_age=18, in_person=True,
                 schedules=[{"freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00"}])
    make_listing(session, name="Evening choir", terms=["peer-support"], is_free=False,
                 localities=[places["plymstock"]], minimum_age=16, maximum_age=30,
                 schedules=[{"freq": "WEEKLY", "byday": "TU", "opens_at": "18:30", "closes_at": "20:30"}])
    make_listing(session, name="Phone friends", terms=["telephone-befriending"], is_free=True,
                 in_person=False, telephone=True, localities=[places["torquay"], places["plymstock"]],
                 schedules=[{"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "17:00"}])
    make_listing(session, name="Food bank", terms=["food-banks"], is_free=True,
                 localities=[places["newton-abbot"]], maximum_age=None,
                 schedules=[{"freq": "WEEKLY", "byday": "SU", "opens_at": "13:00", "closes_at": "15:00"}])


@pytest.mark.parametrize(("query", "expected"), [
    ("day=SA", ["Saturday social"]),
    ("day=MO&day=SU", ["Food bank", "Phone friends"]),
    ("when=evenings", ["Evening choir"]),
    ("when=weekends", ["Food bank", "Saturday social"]),
    ("cost=free", ["Food bank", "Phone friends", "Saturday social"]),
    ("age=40", ["Food bank", "Phone friends", "Saturday social"]),
    ("age=17", ["Evening choir", "Food bank", "Phone friends"]),
    ("attendance=telephone", ["Phone friends"]),
    ("locality=plymstock", ["Evening choir", "Phone friends"]),
    ("category=befriending", ["Phone friends", "Saturday social"]),
    ("category=food&cost=free", ["Food bank"]),
    ("category=befriending&day=SA&locality=torquay", ["Saturday social"]),
])
def test_search_filters_narrow_the_results(client, session, index, places, query, expected):
    _filter_world(session, places)
    names, _html = search(client, query)
    assert sorted(names) == expected


def test_search_filters_show_result_counts_for_the_current_query(client, session, index, places):
    _filter_world(session, places)
    _names, html = search(client, "day=SA&category=befriending")
    text = text_of(html)
    # Counts for other values of a filter ignore that filter's own choice...
    assert "Saturday (1)" in text and "Monday (1)" in text
    # ...and respect the others; an option that would find nothing is not offered.
    assert "Befriending and social groups (1)" in text
    assert "Torquay (1)" in text and "Free of charge (1)" in text
    for nothing in ("Sunday", "Food", "Plymstock", "Evenings (after 5pm)"):
        assert f"{nothing} (" not in text, nothing
    assert 'name="day" type="checkbox" value="SU"' not in html
    # A chosen option is kept (ticked, with its count) even when it finds nothing.
    assert "In person (1)" in text and "By telephone (" not in text
    _names, chosen = search(client, "day=SU&category=befriending")
    assert "Sunday (0)" in text_of(chosen)
    assert 'name="day" type="checkbox" value="SU" checked' in chosen
    assert "1 service found" in text


def test_search_open_now_follows_the_uk_clock_and_bank_holidays(client, session, index, places):
    make_listing(session, name="Saturday morning club",
                 schedules=[{"freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00"}])
    make_listing(session, name="Monday drop-in",
                 schedules=[{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "16:00"}])
    make_listing(session, name="Bank holiday cafe", schedules=[{
        "freq": "WEEKLY", "byday": "MO", "opens_at": "11:00", "closes_at": "15:00",
        "description": "Open on bank holidays only."}])
    make_listing(session, name="First Monday lunch", schedules=[{
        "freq": "MONTHLY", "byday": "MO", "week_of_month": 1, "opens_at": "12:00", "closes_at": "14:00"}])
    moments = [
        (datetime(2026, 11, 21, 11, 0, tzinfo=LONDON), ["Saturday morning club"]),
        (datetime(2026, 11, 21, 12, 0, tzinfo=LONDON), []),  # closes at noon
        (datetime(2026, 11, 23, 10, 30, tzinfo=LONDON), ["Monday drop-in"]),
        (datetime(2026, 12, 7, 12, 30, tzinfo=LONDON), ["First Monday lunch", "Monday drop-in"]),
        (datetime(2026, 12, 28, 12, 30, tzinfo=LONDON), ["Bank holiday cafe"]),  # Boxing Day (observed)
        (datetime(2026, 7, 4, 10, 30, tzinfo=LONDON), ["Saturday morning club"]),  # BST
    ]
    for moment, expected in moments:
        with time_machine.travel(moment, tick=False):
            names, html = search(client, "when=open_now")
        assert sorted(names) == expected, moment
        assert f"Open now ({len(expected)})" in text_of(html)


def test_search_by_postcode_sorts_by_distance(client, session, index, places):
    make_listing(session, name="Far club", venues=[NEWTON_ABBOT])
    make_listing(session, name="Near club", venues=[NEAR])
    make_listing(session, name="Middle club", venues=[PAIGNTON])
    names, html = search(client, "postcode=tq11aa&sort=distance")
    assert names == ["Near club", "Middle club", "Far club"]
    text = text_of(html)
    assert "3 services found near TQ1 1AA" in text
    assert "Less than 0.1 miles away" in text and "2.6 miles away" in text


def test_search_coverage_counts_as_near_even_with_a_far_office(client, session, index, places):
    make_listing(session, name="Newton Abbot group", venues=[NEWTON_ABBOT])
    make_listing(session, name="Outreach from Plymouth", venues=[PLYMOUTH],
                 localities=[places["torquay"]])
    for sort in ("distance", "relevance"):
        names, _html = search(client, f"postcode=TQ1+1AA&sort={sort}")
        assert names == ["Outreach from Plymouth", "Newton Abbot group"], sort


def test_search_keeps_online_and_phone_services_in_place_searches(client, session, index, places):
    make_listing(session, name="Plymouth drop-in", venues=[PLYMOUTH])
    make_listing(session, name="Web chat", in_person=False, online=True)
    make_listing(session, name="Local lunch", venues=[NEAR])
    names, html = search(client, "postcode=TQ1+1AA&sort=distance")
    assert names == ["Local lunch", "Web chat", "Plymouth drop-in"]
    assert "Online or by telephone" in text_of(html)
    names, _html = search(client, "q=chat&postcode=TQ1+1AA")
    assert names == ["Web chat"]


def test_search_ranks_listings_not_checked_for_a_year_lower(client, session, index, places):
    make_listing(session, name="Old lunch club", last_checked_on=today() - timedelta(days=400),
                 venues=[NEAR])
    make_listing(session, name="New lunch club", last_checked_on=today() - timedelta(days=30),
                 venues=[NEAR])
    make_listing(session, name="Never checked lunch club", last_checked_on=None, venues=[NEAR])
    for query in ("q=lunch+club", "postcode=TQ1+1AA&sort=distance", "", "q=lunch&postcode=TQ1+1AA"):
        names, html = search(client, query)
        assert names[0] == "New lunch club", query
    assert text_of(html).count("May be out of date") == 2


def test_search_never_shows_or_indexes_a_confidential_address(client, session, index, places):
    make_listing(session, name="Safe house", localities=[places["torquay"]], terms=["safe-accommodation"],
                 venues=[{"name": "Refuge", "address_1": "1 Secret Lane", "city": "Torquay",
                          "postcode": "TQ1 3ZZ", "latitude": 50.47, "longitude": -3.51,
                          "confidential": True}])
    names, html = search(client, "q=refuge&postcode=TQ1+1AA")
    assert names == ["Safe house"]
    assert "Secret Lane" not in html and "TQ1 3ZZ" not in html and "miles away" not in html
    assert "Covers your area" in text_of(html)
    stored = stored_documents(session, index)
    assert [doc["place"]["geo"] for doc in stored] == [[]]
    assert "secret" not in repr(stored).lower() and "50.47" not in repr(stored)


@pytest.mark.parametrize("query", [
    "q=" + "lunch " * 2000,
    "q=AND+(+*+%22+~",
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "q=%00%01walk",
    "day=XX&locality=nowhere&category=zzz&attendance=teleport&sort=up&when=never&cost=gold",
    "page=-5", "page=99999999999999999999999999", "page=abc", "per_page=1000",
    "locality=torquay&locality=torquay&day=SA&day=SA",
])
def test_search_bad_input_is_normalised_never_an_error(client, session, index, places, query):
    make_listing(session, name="Lunch club", localities=[places["torquay"]])
    names, html = search(client, query)
    assert "<script>alert" not in html
    if query.startswith("q=lunch") or "nowhere" in query or query.startswith("page") \
            or query.startswith("per_page"):
        assert names == ["Lunch club"]


@pytest.mark.parametrize(("postcode", "message"), [
    ("XX1", "Enter a real postcode, like TQ1 1AA"),
    ("<b>TQ1</b>", "Enter a real postcode, like TQ1 1AA"),
    ("TQ9 9ZZ", "We could not find that postcode. Check it and try again"),
])
def test_search_bad_postcode_gets_a_message_and_keeps_what_was_typed(client, session, index, places,
                                                                      postcode, message):
    make_listing(session, name="Lunch club")
    response = client.get("/services", query_string={"q": "lunch", "postcode": postcode})
    page = check_page(response)
    assert response.status_code == 200
    assert page.error_summary == [message]
    assert page.error_summary_links == ["#postcode"]
    assert page.title.startswith("Error: Find community services")
    assert page.form_with("postcode").fields["postcode"] == postcode
    assert page.form_with("q").fields["q"] == "lunch"
    assert "Lunch club" in page.text


def test_search_bad_age_gets_a_message_and_searches_without_it(client, session, index, places):
    make_listing(session, name="Youth club", maximum_age=18)
    response = client.get("/services?age=abc")
    page = check_page(response)
    assert page.error_summary == ["Enter an age in years, like 45"]
    assert page.form_with("age").fields["age"] == "abc"
    assert "Youth club" in page.text


def test_search_that_finds_nothing_is_recorded_without_personal_data(client, session, index, places,
                                                                     personas):
    from portal.authz import Role

    make_listing(session, name="Lunch club")
    client.sign_in_as(personas[Role.RESIDENT])
    search(client, "q=unicorn+grooming&postcode=TQ1+1AA&day=SA&cost=free")
    search(client, "q=lunch")  # found something: not a gap
    search(client, "")  # just opened the page: not a search
    gaps = session.scalars(select(SearchGap)).all()
    assert [(gap.query, gap.filters) for gap in gaps] == [(
        "unicorn grooming",
        {"days": ["SA"], "free": True, "postcode_district": "TQ1", "near_locality": "torquay"})]
    assert set(SearchGap.__table__.columns.keys()) == {"id", "query", "filters", "created_at"}


def test_search_results_are_paged(client, session, index, places):
    for n in range(25):
        make_listing(session, name=f"Group {n:02d}")
    names, html = search(client, "")
    assert len(names) == 20 and "25 services found" in text_of(html)
    assert 'href="/services?page=2" rel="next"' in html
    names, html = search(client, "page=2")
    assert len(names) == 5 and 'href="/services" rel="prev"' in html
    assert search(client, "page=7")[0] == names  # past the end: the last page


def test_search_page_links_from_header_and_home(client, index, places):
    page = client.page("/")
    assert "/services" in page.links
    page = client.page("/services")
    assert page.h1 == ["Find community services"]
    assert page.form_with("q").method == "get"


def test_search_results_escape_what_editors_typed(client, session, index, places):
    make_listing(session, name="<script>alert(1)</script> club",
                 description='<img src=x onerror="alert(2)"> club for all')
    names, html = search(client, "q=club")
    assert names == ["<script>alert(1)</script> club"]
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>club</mark>" in html
