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
            "Monday, Saturday; 09:00 to 12:00; by appointment; Term time"]
        assert describe("venue", {"name": "Hall", "address_1": None, "city": "Torquay",
                                  "postcode": "TQ1 1AA", "confidential": True,
                                  "accessibility": None}, NAMES) == [
            "Hall", "Torquay", "TQ1 1AA", "Confidential: the address is not published"]
        assert describe("languages", ["bfi", "xx"], NAMES) == ["British Sign Language (BSL)", "xx"]
        assert describe("url", None, NAMES) == []


def test_language_choices_keep_codes_a_listing_already_has():
    codes = [code for code, _label in language_choices(["en", "gd"])]
    assert codes[0] == "en" and codes[-1] == "gd" and codes.count("en") == 1
