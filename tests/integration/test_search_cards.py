"""Result cards say what people choose by: when it runs (the pattern and the next session),
whether it is free, how far away it is when a postcode is given, and how it is used."""

from __future__ import annotations

import re

import pytest
import time_machine
from sqlalchemy import event

from tests.helpers.factories import make_listing
from tests.integration.test_search_page import NEAR, PLYMOUTH, places, search, text_of  # noqa: F401

pytestmark = pytest.mark.usefixtures("places")


@pytest.fixture
def index(search_engine):
    return search_engine


def _cards(html: str) -> dict[str, str]:
    """Each result's name -> the words of its card."""
    cards = {}
    for chunk in html.split('<li class="portal-result ')[1:]:
        card = chunk[:chunk.index("<hr")]
        name = text_of(re.search(r'portal-result__name">(.*?)</h3>', card, re.S).group(1))
        cards[name] = text_of(card)
    return cards


@time_machine.travel("2026-11-23 12:00:00+00:00", tick=False)  # a Monday
def test_cards_say_when_what_it_costs_how_far_and_how(client, session, index):
    make_listing(session, name="Second Saturday Club", is_free=False, venues=[NEAR],
                 schedules=[{"freq": "MONTHLY", "byday": "2SA", "opens_at": "10:00",
                             "closes_at": "12:00"}])
    make_listing(session, name="Phone Friends", is_free=True, in_person=False, telephone=True,
                 schedules=[{"freq": "WEEKLY", "byday": "TU,TH", "opens_at": "09:00",
                             "closes_at": "17:00"}])
    make_listing(session, name="Plymouth Drop In", venues=[PLYMOUTH])
    _names, html = search(client, "postcode=TQ1+1AA&sort=distance")
    cards = _cards(html)
    club = cards["Second Saturday Club"]
    assert "When: Second Saturday of the month, 10am to 12 noon" in club
    assert "Next: Saturday 12 December, 10am to 12 noon" in club
    assert "Cost: There is a charge" in club
    assert "miles away" in club
    assert "How you use it: In person" in club
    phone = cards["Phone Friends"]
    assert "When: Tuesdays and Thursdays, 9am to 5pm" in phone
    assert "Next: Tuesday 24 November, 9am to 5pm" in phone
    assert "Cost: Free" in phone
    assert "How you use it: By telephone" in phone
    drop_in = cards["Plymouth Drop In"]
    assert "When:" not in drop_in and "Next:" not in drop_in  # no schedule: nothing made up
    assert "Cost: Free" in drop_in


@time_machine.travel("2026-11-23 12:00:00+00:00", tick=False)
def test_cards_speak_the_readers_language(client, session, index):
    make_listing(session, name="Second Saturday Club", is_free=False,
                 schedules=[{"freq": "MONTHLY", "byday": "2SA", "opens_at": "10:00",
                             "closes_at": "12:00"}])
    client.get("/language/pl")
    _names, html = search(client, "q=club")
    card = _cards(html)["Second Saturday Club"]
    assert "Koszt:" in card and "Kiedy:" in card


@time_machine.travel("2026-11-23 12:00:00+00:00", tick=False)
def test_cards_read_the_schedules_once_a_page_not_once_a_card(client, session, index, _connection):
    for number in range(6):
        make_listing(session, name=f"Club number {number}",
                     schedules=[{"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00",
                                 "closes_at": "12:00"}])
    search(client, "q=club")  # the index is built from the database at the first search
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    event.listen(_connection, "before_cursor_execute", seen)
    try:
        names, html = search(client, "q=club")
    finally:
        event.remove(_connection, "before_cursor_execute", seen)
    assert len(names) == 6 and html.count("When: Mondays, 10am to 12 noon") == 6
    assert len([s for s in statements if re.search(r"\bFROM schedule\b", s)]) == 1
