"""The search boxes' hints in Polish and Arabic only suggest searches that work: each example
in the hint (and in the "you could try" advice) is in the page and finds something."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import quote

import pytest

from tests.helpers.factories import make_listing
from tests.integration.test_search_understanding import places, starter  # noqa: F401

SERVICES = {
    "pl": ["klub obiadowy", "opiekunowie", "problemy finansowe"],
    "ar": ["نادي الغداء", "مقدمي الرعاية", "مشاكل مالية"],
}
EVERYTHING = {
    "pl": ["samotność", "duszność", "brak pieniędzy"],
    "ar": ["الوحدة", "ضيق التنفس", "مشاكل مالية"],
}


@pytest.fixture
def index(search_engine):
    return search_engine


@pytest.fixture
def listings(session, places):  # noqa: F811
    for name, term in (("Lunch Club", "lunch-clubs"), ("Carers Cafe", "carers-support"),
                       ("Money Advice Drop-in", "money-advice"), ("Friendship Club", "befriending"),
                       ("Breathe Easy", "heart-and-lung")):
        make_listing(session, name=name, terms=[term])


def _hint(html: str, field: str) -> str:
    found = re.search(rf'<div class="nhsuk-hint" id="{field}-hint">(.*?)</div>', html, re.S)
    assert found, field
    return " ".join(html_lib.unescape(found.group(1)).split())


@pytest.mark.parametrize("language", ["pl", "ar"])
def test_the_service_search_hints_examples_find_services(client, index, listings, language):
    client.get(f"/language/{language}")
    page = client.get("/services").get_data(as_text=True)
    hint = _hint(page, "q")
    nothing = client.get("/services?q=zzzzqqq").get_data(as_text=True)
    for words in SERVICES[language]:
        assert words in hint, (words, hint)
        found = client.get(f"/services?q={quote(words)}").get_data(as_text=True)
        assert "portal-result__name" in found, words
    for words in SERVICES[language][:2]:  # "using fewer or different words, like ..."
        assert words in html_lib.unescape(nothing), words


@pytest.mark.parametrize("language", ["pl", "ar"])
def test_the_combined_search_hints_examples_find_something(client, index, listings, starter,  # noqa: F811
                                                           language):
    client.get(f"/language/{language}")
    hint = _hint(client.get("/search").get_data(as_text=True), "q")
    for words in EVERYTHING[language]:
        assert words in hint, (words, hint)
        found = client.get(f"/search?q={quote(words)}").get_data(as_text=True)
        assert "/services/" in found or re.search(r'href="/guidance/[a-z-]+"', found), words
