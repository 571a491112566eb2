"""Field-by-field comparisons in words people read."""

from __future__ import annotations

from portal.moderation.diff import compare, describe, language_choices
from portal.moderation.queries import Names
from portal.moderation.snapshot import empty_snapshot

NAMES = Names(terms={"t1": "Food banks"}, localities={"torquay": "Torquay"})


def test_compare_marks_exactly_the_changed_fields(app):
    before = {**empty_snapshot(), "name": "Tea", "description": "Chat"}
    after = {**before, "name": "Tea and Cake", "terms": ["t1"]}
    with app.test_request_context():
        rows = compare(before, after, NAMES)
        changed = [(row.label, row.before, row.after) for row in rows if row.changed]
    assert changed == [("Name", ["Tea"], ["Tea and Cake"]), ("Categories", [], ["Food banks"])]


def test_compare_with_nothing_before_shows_what_a_new_listing_gives(app):
    after = {**empty_snapshot(), "name": "New", "localities": ["torquay"]}
    with app.test_request_context():
        changed = [row.key for row in compare(None, after, NAMES) if row.changed]
    assert changed == ["name", "status", "attendance", "is_free", "localities", "languages"]


def test_describe_puts_values_into_words(app):
    with app.test_request_context():
        assert describe("is_free", False, NAMES) == ["No"]
        assert describe("status", "temporarily closed", NAMES) == ["Temporarily closed"]
        assert describe("attendance", ["in-person", "home-visit"], NAMES) == [
            "In person", "Home visits"]
        assert describe("schedules", [{"days": ["SA", "MO"], "opens_at": "09:00",
                                        "closes_at": "12:00", "by_appointment": True,
                                        "description": "Term time"}], NAMES) == [
            "Mondays and Saturdays, 9am to 12 noon, by appointment; Term time"]
        assert describe("schedules", [
            {"kind": "monthly", "days": ["SA"], "weeks": [1], "monthday": None, "interval": 1,
             "starts": None, "ends": None, "opens_at": "10:00", "closes_at": "12:00",
             "by_appointment": False, "description": None},
            {"kind": "weekly", "days": ["TU"], "weeks": [], "monthday": None, "interval": 2,
             "starts": "2026-12-01", "ends": None, "opens_at": "18:00", "closes_at": "20:00",
             "by_appointment": False, "description": None},
            {"kind": "closed", "days": [], "weeks": [], "monthday": None, "interval": 1,
             "starts": "2026-12-24", "ends": "2027-01-02", "opens_at": None, "closes_at": None,
             "by_appointment": False, "description": "Christmas"}], NAMES) == [
            "First Saturday of the month, 10am to 12 noon",
            "Every other Tuesday, 6pm to 8pm",
            "Closed from Thursday 24 December 2026 to Saturday 2 January 2027; Christmas"]
        assert describe("venue", {"name": "Hall", "address_1": None, "city": "Torquay",
                                  "postcode": "TQ1 1AA", "confidential": True,
                                  "accessibility": None}, NAMES) == [
            "Hall", "Torquay", "TQ1 1AA", "Confidential: the address is not published"]
        assert describe("languages", ["bfi", "xx"], NAMES) == ["British Sign Language (BSL)", "xx"]
        assert describe("url", None, NAMES) == []


def test_language_choices_keep_codes_a_listing_already_has():
    codes = [code for code, _label in language_choices(["en", "gd"])]
    assert codes[0] == "en" and codes[-1] == "gd" and codes.count("en") == 1
