"""Snapshots of a listing's editable fields, and applying them without losing what is unseen."""

from __future__ import annotations

from datetime import time

from portal.directory.models import (
    CostOption,
    Location,
    LocationType,
    Schedule,
    ServiceAtLocation,
    TaxonomyTerm,
)
from portal.moderation.snapshot import FIELDS, apply, changed_fields, empty_snapshot, snapshot
from portal.places.models import Postcode
from tests.helpers.factories import make_locality, make_service


def test_snapshot_of_a_listing_has_every_field(session):
    service = make_service(session, name="Tea and Chat", minimum_age=50)
    data = snapshot(service)
    assert list(data) == list(FIELDS)
    assert data["name"] == "Tea and Chat" and data["minimum_age"] == 50
    assert data["attendance"] == ["in-person"] and data["venue"] is None


def test_apply_then_snapshot_round_trips(session):
    service = make_service(session)
    locality = make_locality(session)
    term = TaxonomyTerm(name="Food (test)")
    session.add(term)
    session.add(Postcode(postcode="TQ1 1AA", latitude=50.46, longitude=-3.52))
    session.flush()
    data = {**snapshot(service), "name": "Lunch Club", "terms": [term.id],
            "localities": [locality.slug], "languages": ["en", "bfi"],
            "attendance": ["online", "home-visit"], "is_free": False, "fees_description": "£3",
            "phones": [{"number": "01803 960000", "description": None}],
            "schedules": [{"kind": "weekly", "days": ["MO", "FR"], "weeks": [], "monthday": None,
                           "interval": 2, "starts": "2026-12-07", "ends": "2027-07-20",
                           "opens_at": "09:30", "closes_at": "12:00",
                           "by_appointment": False, "description": "Term time"}],
            "venue": {"name": "Hall", "address_1": "1 Fictional Road", "city": "Torquay",
                      "postcode": "TQ1 1AA", "confidential": True, "accessibility": "Ramp\nLoop"}}
    changed = apply(session, service, data)
    session.flush()
    session.expire_all()
    assert snapshot(service) == data
    assert set(changed) == {"name", "terms", "localities", "languages", "attendance", "is_free",
                            "fees_description", "phones", "schedules", "venue"}
    [venue] = service.locations
    assert (venue.latitude, venue.longitude) == (50.46, -3.52)
    assert venue.accessibility == [{"description": "Ramp"}, {"description": "Loop"}]


def test_apply_leaves_what_the_form_cannot_show(session):
    service = make_service(session, languages=[{"name": "Polish", "code": "pl",
                                                "note": "Polish-speaking volunteers"}])
    service.schedules = [Schedule(freq="MONTHLY", byday="TU", week_of_month=1,
                                  opens_at=time(10), closes_at=time(12))]
    session.flush()
    data = snapshot(service)
    data["languages"] = ["pl", "en"]
    data["schedules"][0]["closes_at"] = "13:00"
    apply(session, service, data)
    session.flush()
    assert service.languages[0] == {"name": "Polish", "code": "pl",
                                    "note": "Polish-speaking volunteers"}
    assert service.languages[1] == {"name": "English", "code": "en"}
    [schedule] = service.schedules
    assert (schedule.freq, schedule.byday, schedule.week_of_month, schedule.closes_at) == (
        "MONTHLY", "1TU", None, time(13))


def test_changing_the_week_of_the_month_changes_the_published_rule(session):
    service = make_service(session)
    service.schedules = [Schedule(freq="MONTHLY", byday="2SA", opens_at=time(10),
                                  closes_at=time(12))]
    session.flush()
    data = snapshot(service)
    assert data["schedules"][0]["weeks"] == [2]
    data["schedules"][0]["weeks"] = [1]
    assert apply(session, service, data) == ["schedules"]
    session.flush()
    [schedule] = service.schedules
    assert (schedule.freq, schedule.byday) == ("MONTHLY", "1SA")
    assert snapshot(service)["schedules"][0]["weeks"] == [1]


def test_apply_gives_a_listing_its_own_copy_of_a_shared_venue(session):
    venue = Location(name="Shared Hall", location_type=LocationType.PHYSICAL,
                     address_1="1 Fictional Road", postcode="TQ1 1AA")
    first, second = make_service(session), make_service(session)
    first.service_at_locations = [ServiceAtLocation(location=venue)]
    second.service_at_locations = [ServiceAtLocation(location=venue)]
    session.flush()
    data = snapshot(first)
    data["venue"] = {**data["venue"], "name": "Renamed Hall"}
    apply(session, first, data)
    session.flush()
    assert first.locations[0].name == "Renamed Hall"
    assert second.locations[0].name == "Shared Hall"


def test_changed_fields_of_a_new_listing_are_those_given():
    data = {**empty_snapshot(), "name": "New", "description": "Words"}
    assert changed_fields(None, data) == ["name", "description"]
    assert changed_fields(data, {**data, "terms": ["b", "a"]}) == ["terms"]
    assert changed_fields({**data, "terms": ["a", "b"]}, {**data, "terms": ["b", "a"]}) == []


def test_cost_of_an_imported_listing_is_put_into_words(session):
    service = make_service(session, is_free=False)
    service.cost_options = [CostOption(option="Per session", amount=2.5,
                                       amount_description="£2.50 per session"),
                            CostOption(option="Annual membership", amount=10)]
    session.flush()
    data = snapshot(service)
    assert data["fees_description"] == "£2.50 per session; Annual membership £10.00"
    assert apply(session, service, data) == []  # nothing changes until the editor changes it
    apply(session, service, {**data, "fees_description": "£3 a session"})
    session.flush()
    assert [(o.amount, o.amount_description) for o in service.cost_options] == [
        (None, "£3 a session")]
