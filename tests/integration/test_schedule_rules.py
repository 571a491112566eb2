"""Every ORUK schedule shape survives import and export, and the listing page, the API and
"open now" read it by the same rules."""

from __future__ import annotations

import copy
import json
from datetime import datetime

import pytest
import time_machine

from portal import demo
from portal.directory.recurrence import LONDON
from portal.directory.reference import load_reference_taxonomies
from portal.search import SearchIndex
from portal.search.services import ServiceQuery, search_services
from tests.helpers.oruk import get_valid
from tools import demo_generator as demo_data

SATURDAY = demo_data.generate()["services"][0]
KEYS = ("freq", "interval", "byday", "bymonthday", "dtstart", "until", "valid_from", "valid_to",
        "opens_at", "closes_at", "description", "notes")
SHAPES = [
    {"freq": "WEEKLY", "byday": "MO,TH", "opens_at": "09:30", "closes_at": "12:00"},
    {"freq": "WEEKLY", "interval": 2, "byday": "TU", "dtstart": "2026-12-01",
     "opens_at": "18:00", "closes_at": "20:00", "description": "Fortnightly"},
    {"freq": "MONTHLY", "byday": "2SA,-1SA", "opens_at": "10:00", "closes_at": "12:00"},
    {"freq": "MONTHLY", "bymonthday": "15", "opens_at": "14:00", "closes_at": "16:00"},
    {"freq": "WEEKLY", "byday": "SU", "valid_from": "2027-04-01", "valid_to": "2027-09-30",
     "opens_at": "11:00", "closes_at": "15:00", "description": "Summer season"},
    {"freq": "WEEKLY", "byday": "WE", "until": "2027-03-31", "opens_at": "10:00",
     "closes_at": "11:00"},
    {"dtstart": "2026-12-19", "opens_at": "15:00", "closes_at": "17:00",
     "description": "Carol concert"},
    {"valid_from": "2026-12-24", "valid_to": "2027-01-02", "description": "Christmas",
     "notes": "Closed."},
    {"notes": "By appointment only.", "description": "Home visits on request"},
]


@pytest.fixture
def reference(session):
    demo.load_localities(session)
    load_reference_taxonomies(session)
    session.flush()


def _document() -> dict:
    document = copy.deepcopy(SATURDAY)
    document["schedules"] = [{"id": f"00000000-0000-4000-8000-00000000000{i}",
                              "service_id": document["id"], **shape}
                             for i, shape in enumerate(SHAPES)]
    return document


def _import(app, tmp_path, document):
    path = tmp_path / "services.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["directory", "import-oruk", str(path)])
    assert result.exit_code == 0, result.output


def test_every_oruk_schedule_shape_round_trips_through_import_and_export(
        app, client, session, reference, tmp_path):
    _import(app, tmp_path, _document())
    exported = get_valid(client, f"/api/services/{SATURDAY['id']}")["schedules"]
    assert [{k: s[k] for k in KEYS if k in s} for s in exported] == SHAPES
    # and importing the export changes nothing
    again = {**_document(), "schedules": exported}
    path = tmp_path / "again.json"
    path.write_text(json.dumps(again), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["directory", "import-oruk", str(path)])
    assert "unchanged 1" in result.stdout, result.stdout


def test_listing_page_says_every_shape_in_words_and_the_next_session(
        app, client, session, reference, tmp_path):
    _import(app, tmp_path, _document())
    with time_machine.travel(datetime(2026, 12, 14, 9, 0, tzinfo=LONDON), tick=False):  # Monday
        text = client.page(f"/services/{SATURDAY['id']}").text
    for expected in [
        "Next: Monday 14 December, 9:30am to 12 noon",
        "Mondays and Thursdays, 9:30am to 12 noon",
        "Every other Tuesday, 6pm to 8pm",
        "Second Saturday of the month and Last Saturday of the month, 10am to 12 noon",
        "Day 15 of every month, 2pm to 4pm",
        "Sundays, 11am to 3pm, from Thursday 1 April 2027 to Thursday 30 September 2027",
        "Wednesdays, 10am to 11am, until Wednesday 31 March 2027",
        "Saturday 19 December 2026, 3pm to 5pm",
        "Closed from Thursday 24 December 2026 to Saturday 2 January 2027",
        "By appointment",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize(("moment", "open_now"), [
    (datetime(2026, 12, 15, 18, 30, tzinfo=LONDON), True),   # fortnightly Tuesday, on
    (datetime(2026, 12, 8, 18, 30, tzinfo=LONDON), False),   # the week in between
    (datetime(2026, 12, 29, 18, 30, tzinfo=LONDON), False),  # on, but closed for Christmas
    (datetime(2026, 12, 19, 15, 30, tzinfo=LONDON), True),   # the one-off concert
    (datetime(2026, 12, 26, 11, 0, tzinfo=LONDON), False),   # last Saturday, Boxing Day, closed
    (datetime(2027, 1, 15, 14, 30, tzinfo=LONDON), True),    # the 15th of the month
    (datetime(2027, 1, 31, 12, 0, tzinfo=LONDON), False),    # Sunday out of season
    (datetime(2027, 4, 4, 12, 0, tzinfo=LONDON), True),      # Sunday in season
])
def test_open_now_in_search_follows_the_same_rules(app, session, reference, tmp_path, moment,
                                                   open_now):
    _import(app, tmp_path, _document())
    index = SearchIndex.for_app(app)
    index.rebuild(session)
    result = search_services(session, index, ServiceQuery(open_now=True), now=moment)
    assert (SATURDAY["id"] in [hit.service_id for hit in result.hits]) is open_now
