"""Mapping between the directory's models and Open Referral UK 3.0, both ways (no database)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import pytest

from portal import demo
from portal.directory.models import (
    Contact,
    CostOption,
    Location,
    LocationType,
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from portal.directory.oruk import (
    CONFIDENTIAL_NAME,
    organization_to_oruk,
    service_at_location_to_oruk,
    service_summary_to_oruk,
    service_to_oruk,
    taxonomy_term_to_oruk,
    taxonomy_to_oruk,
)
from portal.directory.oruk_read import ReadContext, RecordError, parse_service, parse_time
from portal.places.models import Locality
from tests.helpers.oruk import assert_valid, schema_errors

ORG_ID = "0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0001"
SERVICE_ID = "0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0002"
NEEDS = Taxonomy(id="8a4eede5-cad8-596e-9369-9b6630854837", name="Community needs",
                 description="Needs.")
TERM = TaxonomyTerm(id="21cacbfe-5fdf-5aac-a691-d17edcee7829", code="social-clubs",
                    name="Social clubs and groups", description="Groups.",
                    parent_id="1bb22610-9316-53d8-8260-47d932d84ea6", taxonomy=NEEDS)
TORQUAY = Locality(id=2, slug="torquay", name="Torquay", area="Torbay and South Devon")
DELIVERY_IDS = {"55b85321-63dd-5f2f-920f-b0323b13a355": "in-person",
                "40686dc4-293a-55f2-a9b7-f270bc248afe": "online",
                "3b2e40ec-54b1-5b98-abaa-270cf16569b7": "telephone",
                "040279e8-81be-50ce-b20f-f9d57c842f3c": "home-visit"}


def _location(**fields: object) -> Location:
    values: dict[str, object] = dict(
        id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0003", name="Chelston Hall", description="A hall.",
        location_type=LocationType.PHYSICAL, address_1="12 Old Mill Road", city="Torquay",
        postcode="TQ2 6AA", latitude=50.4612, longitude=-3.5478, confidential=False,
        accessibility=[{"description": "Step-free access", "details": "Ramp at the side."}])
    return Location(**{**values, **fields})


def _service(location: Location | None = None, **fields: object) -> Service:
    org = Organisation(id=ORG_ID, slug="org", name="Friends (demo)", description="Friends.",
                       email="hello@friends.example", website="https://friends.example/",
                       charity_number="1290434", company_number="01234567")
    values: dict[str, object] = dict(
        id=SERVICE_ID, organisation=org, organisation_id=ORG_ID, name="Saturday Social",
        description="Company at the weekend.", url="https://friends.example/saturday",
        email="hello@friends.example", status=ServiceStatus.ACTIVE, in_person=True,
        online=False, telephone=True, home_visit=False, minimum_age=18, maximum_age=None,
        eligibility_description="Adults.", is_free=True, fees_description=None,
        languages=[{"name": "English", "code": "en"}, {"name": "Polish", "code": "pl"}],
        last_checked_on=date(2026, 3, 19),
        last_modified=datetime(2026, 3, 19, 13, 23, 19, 171000, tzinfo=UTC),
        terms=[TERM], localities=[TORQUAY],
        phones=[Phone(id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0010", number="01632 960037",
                      description="Ask for Hazel.")],
        contacts=[Contact(id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0011", name="Hazel Underhill",
                          title="Organiser", email="hazel@friends.example", phone="01632 960038")],
        schedules=[
            Schedule(id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0012", freq="WEEKLY", byday="SA",
                     opens_at=time(14), closes_at=time(16), by_appointment=False,
                     description="Every Saturday, 2pm to 4pm", valid_from=date(2026, 1, 1)),
            Schedule(id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0013", freq="MONTHLY", byday="TH",
                     week_of_month=-1, opens_at=time(18, 30), closes_at=time(20, 30),
                     by_appointment=False, description="Last Thursday of every month"),
            Schedule(id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0014", freq="WEEKLY", byday=None,
                     by_appointment=True, description="By appointment."),
        ],
        cost_options=[CostOption(id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0015", option="Free",
                                 amount=0, currency="GBP", amount_description="No charge")],
    )
    service = Service(**{**values, **fields})
    service.service_at_locations = [ServiceAtLocation(
        id="0f6f0a1e-8c1d-4d6e-9a51-3f1c2b7a0016", service_id=SERVICE_ID,
        location_id=(location or _location()).id, location=location or _location())]
    return service


def test_service_to_oruk_full_service_validates_against_the_official_schema():
    document = service_to_oruk(_service())
    assert_valid(document, "service")
    assert document["assured_date"] == "2026-03-19"
    assert document["last_modified"] == "2026-03-19T13:23:19.171Z"
    assert document["organization"]["organization_identifiers"] == [
        {"id": document["organization"]["organization_identifiers"][0]["id"],
         "organization_id": ORG_ID, "identifier_scheme": "GB-CHC",
         "identifier_type": "Charity number", "identifier": "1290434"},
        {"id": document["organization"]["organization_identifiers"][1]["id"],
         "organization_id": ORG_ID, "identifier_scheme": "GB-COH",
         "identifier_type": "Company number", "identifier": "01234567"}]


def test_service_to_oruk_is_the_same_every_time():
    assert json.dumps(service_to_oruk(_service())) == json.dumps(service_to_oruk(_service()))


def test_service_to_oruk_confidential_location_never_shows_where_it_is():
    location = _location(confidential=True, name="Refuge accommodation (Torquay area)")
    document = service_to_oruk(_service(location))
    assert_valid(document, "service")
    published = document["service_at_locations"][0]["location"]
    assert published == {
        "id": location.id, "location_type": "physical", "name": CONFIDENTIAL_NAME,
        "description": "The address of this location is confidential. "
                       "It is given when you contact the service.",
        "x_confidential": True, "addresses": [], "accessibility": published["accessibility"]}
    text = json.dumps(document)
    for secret in ("12 Old Mill Road", "TQ2 6AA", "50.4612", "-3.5478", "Refuge accommodation"):
        assert secret not in text
    sal = _service(location).service_at_locations[0]
    for full in (True, False):
        listed = json.dumps(service_at_location_to_oruk(sal, full=full))
        assert "TQ2 6AA" not in listed and "latitude" not in listed
    assert sal.location.postcode == "TQ2 6AA"  # kept for staff, never published


def test_service_to_oruk_attendance_becomes_delivery_method_attributes():
    attributes = service_to_oruk(_service())["attributes"]
    assert [(a["link_type"], a["taxonomy_term"]["name"]) for a in attributes] == [
        ("need", "Social clubs and groups"), ("delivery_method", "In person"),
        ("delivery_method", "By telephone")]


def test_service_to_oruk_localities_become_service_areas():
    area = service_to_oruk(_service())["service_areas"][0]
    assert {k: area[k] for k in ("name", "extent", "extent_type", "uri")} == {
        "name": "Torquay", "extent": "torquay", "extent_type": "text",
        "uri": "urn:x-portal:locality:torquay"}


def test_service_to_oruk_schedules_weekly_monthly_and_by_appointment():
    weekly, monthly, appointment = service_to_oruk(_service())["schedules"]
    assert (weekly["freq"], weekly["byday"], weekly["opens_at"], weekly["closes_at"]) == (
        "WEEKLY", "SA", "14:00", "16:00")
    assert (monthly["freq"], monthly["byday"]) == ("MONTHLY", "-1TH")
    assert "freq" not in appointment and appointment["notes"] == "By appointment only."


def test_service_summary_has_only_one_to_one_fields():
    summary = service_summary_to_oruk(_service())
    assert not {"schedules", "service_at_locations", "attributes", "contacts"} & set(summary)
    assert set(summary["organization"]) == {"id", "name", "description", "email", "website"}
    assert schema_errors({"contents": [summary]}, "service_list") == []


def test_taxonomy_to_oruk_and_term_validate():
    NEEDS.terms = [TERM]
    assert_valid(taxonomy_to_oruk(NEEDS), "taxonomy")
    assert_valid(taxonomy_term_to_oruk(TERM), "taxonomy_term")
    assert taxonomy_term_to_oruk(TERM)["taxonomy"] == "Community needs"


def test_organization_to_oruk_without_numbers_has_no_identifiers():
    org = Organisation(id=ORG_ID, slug="o", name="O", description="")
    assert organization_to_oruk(org) == {"id": ORG_ID, "name": "O", "description": "",
                                         "organization_identifiers": []}


# ---- reading ---------------------------------------------------------------------------------

def _context(geocode=lambda _pc: None) -> ReadContext:  # type: ignore[no-untyped-def]
    return ReadContext({"torquay": "torquay", "coastal": "coastal"}, DELIVERY_IDS, geocode)


def _demo(predicate):  # type: ignore[no-untyped-def]
    return next(s for s in demo.read_services() if predicate(s))


def test_parse_service_reads_a_demo_service():
    document = _demo(lambda s: s["name"] == "Torquay Saturday Social")
    record = parse_service(document, _context())
    assert record.fields["in_person"] and not record.fields["online"]
    assert record.fields["last_checked_on"] == date.fromisoformat(document["assured_date"])
    assert record.localities == ["torquay"]
    assert record.organisation["charity_number"] == "1290434"  # type: ignore[index]
    location = record.locations[0][2]
    assert location["postcode"] == "TQ1 1AA" and location["confidential"] is False  # type: ignore[index]
    assert record.schedules[0]["byday"] == "SA" and record.schedules[0]["opens_at"] == time(14)


def test_parse_service_keeps_a_confidential_venue_confidential():
    document = _demo(lambda s: any(sal["location"].get("x_confidential")
                                   for sal in s["service_at_locations"]))
    location = parse_service(document, _context()).locations[0][2]
    assert location["confidential"] is True and location["postcode"]  # type: ignore[index]


def test_parse_service_without_delivery_attributes_reads_attendance_from_schedules():
    document = {"id": SERVICE_ID, "name": "Chat line", "status": "active",
                "schedules": [{"id": ORG_ID, "attending_type": "By telephone or video call"}]}
    fields = parse_service(document, _context()).fields
    assert (fields["in_person"], fields["online"], fields["telephone"]) == (False, True, True)


def test_parse_service_geocodes_a_venue_that_has_only_a_postcode():
    document = {"id": SERVICE_ID, "name": "Drop-in", "status": "active",
                "service_at_locations": [{"id": ORG_ID, "location": {
                    "id": SERVICE_ID, "location_type": "physical", "addresses": [{
                        "id": ORG_ID, "address_1": "1 Fleet St", "city": "Torquay",
                        "state_province": "Devon", "postal_code": "tq11aa", "country": "GB",
                        "address_type": "physical"}]}}]}
    record = parse_service(document, _context(lambda pc: {"TQ1 1AA": (50.1, -3.5)}[pc]))
    location = record.locations[0][2] or {}
    assert (location["postcode"], location["latitude"], location["longitude"]) == (
        "TQ1 1AA", 50.1, -3.5)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("maximum_age", 5, "$.maximum_age: is less than minimum_age"),
    ("minimum_age", -1, "$.minimum_age: must be between 0 and 150"),
    ("assured_date", "2026-13-45", "$.assured_date: '2026-13-45' is not a date (YYYY-MM-DD)"),
    ("id", "x" * 65, "$.id: is longer than 64 characters"),
])
def test_parse_service_refuses_what_the_schema_cannot_catch(field, value, message):
    document = {"id": SERVICE_ID, "name": "A", "status": "active", "minimum_age": 18,
                field: value}
    with pytest.raises(RecordError) as caught:
        parse_service(document, _context())
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "expected"), [
    ("14:00", time(14)), ("9:30", time(9, 30)), ("14:00:00", time(14)), ("18:30Z", time(18, 30)),
    ("18:30+01:00", time(18, 30)), ("", None)])
def test_parse_time_accepts_the_forms_oruk_uses(text, expected):
    assert parse_time(text) == expected


def test_every_demo_service_is_valid_oruk():
    for document in demo.read_services():
        assert schema_errors(document, "service") == []


def test_service_validator_finds_what_the_plain_validator_finds():
    from portal.directory.oruk_schema import ServiceValidator, validator

    document = json.loads(json.dumps(_demo(lambda s: len(s["service_at_locations"]) == 1)))
    document["status"] = "open"
    document["organization"]["name"] = 5
    document["service_at_locations"][0]["location"]["location_type"] = "moon"
    plain = sorted(f"{e.json_path}: {e.message}"
                   for e in validator("service").iter_errors(document))
    checker = ServiceValidator()
    assert checker.problems(document, limit=10) == plain
    assert checker.problems(document, limit=10) == plain  # and again, from its memory
    assert len(plain) == 3


@pytest.mark.parametrize(("data", "count"), [
    ({"id": "a", "name": "A"}, 1), ([{"id": "a"}, {"id": "b"}], 2),
    ({"total_items": 1, "contents": [{"id": "a"}]}, 1),
    ({"organizations": [], "services": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}, 3)])
def test_documents_from_json_reads_a_service_a_list_a_page_or_a_demo_file(data, count):
    from portal.directory.importer import documents_from_json

    assert len(documents_from_json(data)) == count


def test_documents_from_json_refuses_anything_else():
    from portal.directory.importer import documents_from_json

    with pytest.raises(ValueError, match="The file must hold a service"):
        documents_from_json("a string")
