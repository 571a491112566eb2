"""`flask directory import-oruk` / `export-oruk` and the demo directory."""

from __future__ import annotations

import copy
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select, text

from portal import demo
from portal.accounts.models import CareTeam, User
from portal.directory.models import (
    Location,
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)
from portal.directory.reference import load_reference_taxonomies
from tests.helpers.oruk import schema_errors

DEMO = demo.read_services()
SATURDAY = DEMO[0]  # Torquay Saturday Social, TQ1 1AA, Torbay Friendship Circle (demo)
REFUGE = next(s for s in DEMO if any(sal["location"].get("x_confidential")
                                     for sal in s["service_at_locations"]))
INACTIVE = next(s for s in DEMO if s["status"] == "inactive")
SUMMARY = re.compile(r"Imported (\d+), updated (\d+), unchanged (\d+), skipped (\d+) of (\d+) "
                     r"services \((\d+) organisations added, (\d+) updated\)")


@pytest.fixture
def reference(session):
    demo.load_localities(session)
    load_reference_taxonomies(session)
    session.flush()


def _import(app, tmp_path, data, name="services.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return app.test_cli_runner().invoke(
        args=["directory", "import-oruk", str(path)])


def _counts(result) -> tuple[int, ...]:
    assert result.exit_code == 0, (result.output, result.exception)
    match = SUMMARY.search(result.stdout)
    assert match, result.stdout
    return tuple(int(n) for n in match.groups())


def _versions(session) -> list[tuple[str, int]]:
    session.expire_all()
    return sorted([*((s.id, s.version) for s in session.scalars(select(Service))),
                   *((o.id, o.version) for o in session.scalars(select(Organisation))),
                   *((loc.id, loc.version) for loc in session.scalars(select(Location)))])


def test_import_oruk_single_service_keeps_every_part(app, session, reference, tmp_path):
    assert _counts(_import(app, tmp_path, SATURDAY)) == (1, 0, 0, 0, 1, 1, 0)
    service = session.get(Service, SATURDAY["id"])
    assert service.name == "Torquay Saturday Social" and service.published
    assert service.last_checked_on == date.fromisoformat(SATURDAY["assured_date"])
    assert (service.in_person, service.online, service.telephone) == (True, False, False)
    assert [loc.slug for loc in service.localities] == ["torquay"]
    assert [t.code for t in service.terms] == ["social-clubs"]
    assert service.organisation.charity_number == "1290434"
    assert [(s.byday, s.opens_at.isoformat()) for s in service.schedules] == [("SA", "14:00:00")]
    assert [p.number for p in service.phones] == [SATURDAY["phones"][0]["number"]]
    assert service.locations[0].postcode == "TQ1 1AA"
    assert service.is_free


def test_import_oruk_list_twice_changes_nothing_the_second_time(app, session, reference,
                                                                tmp_path):
    documents = DEMO[:12]
    assert _counts(_import(app, tmp_path, documents))[:4] == (12, 0, 0, 0)
    before = _versions(session)
    stamps = sorted(session.scalars(select(Service.updated_at)))
    assert _counts(_import(app, tmp_path, documents))[:4] == (0, 0, 12, 0)
    assert _versions(session) == before
    assert sorted(session.scalars(select(Service.updated_at))) == stamps


def test_import_oruk_reads_a_list_page(app, session, reference, tmp_path):
    page = {"total_items": 2, "total_pages": 1, "page_number": 1, "size": 2, "first_page": True,
            "last_page": True, "empty": False, "contents": DEMO[1:3]}
    assert _counts(_import(app, tmp_path, page))[:5] == (2, 0, 0, 0, 2)
    assert {s.id for s in session.scalars(select(Service))} == {DEMO[1]["id"], DEMO[2]["id"]}


def test_import_oruk_changed_record_is_updated_and_gets_a_new_version(app, session, reference,
                                                                      tmp_path):
    _import(app, tmp_path, SATURDAY)
    version = session.get(Service, SATURDAY["id"]).version
    changed = copy.deepcopy(SATURDAY)
    changed["name"] = "Saturday Social Club"
    changed["phones"][0]["number"] = "01632 960999"
    assert _counts(_import(app, tmp_path, changed))[:4] == (0, 1, 0, 0)
    session.expire_all()
    service = session.get(Service, SATURDAY["id"])
    assert (service.name, service.version) == ("Saturday Social Club", version + 1)
    assert session.scalars(select(Phone.number)).all() == ["01632 960999"]


def test_import_oruk_reports_invalid_records_and_imports_the_valid_ones(app, session, reference,
                                                                        tmp_path):
    bad_status = {**DEMO[1], "status": "open"}
    no_name = {k: v for k, v in DEMO[2].items() if k != "name"}
    ages = {**DEMO[3], "minimum_age": 60, "maximum_age": 18}
    result = _import(app, tmp_path, [DEMO[0], bad_status, no_name, ages, "oops", DEMO[4]])
    assert _counts(result)[:5] == (2, 0, 0, 4, 6)
    assert result.stderr.splitlines() == [
        f"Record 1 (id {DEMO[1]['id']}): $.status: 'open' is not one of "
        "['active', 'inactive', 'defunct', 'temporarily closed']",
        f"Record 2 (id {DEMO[2]['id']}): $: 'name' is a required property",
        f"Record 3 (id {DEMO[3]['id']}): $.maximum_age: is less than minimum_age",
        "Record 4 (id missing): $: 'oops' is not of type 'object'",
    ]
    assert set(session.scalars(select(Service.id))) == {DEMO[0]["id"], DEMO[4]["id"]}


def test_import_oruk_matches_organisations_by_charity_or_company_number(app, session, reference,
                                                                        tmp_path):
    first, second, third = (copy.deepcopy(d) for d in DEMO[20:23])
    second["organization"]["id"] = second["organization_id"] = "5e0a8a3c-0d5b-4a53-8f1e-0c1d2e3f4a5b"
    second["organization"]["organization_identifiers"] = [{
        "id": "5e0a8a3c-0d5b-4a53-8f1e-0c1d2e3f4a5c", "identifier_scheme": "GB-CHC",
        "identifier_type": "Charity number", "identifier": " 1234567 "}]
    first["organization"]["organization_identifiers"] = [{
        "id": "5e0a8a3c-0d5b-4a53-8f1e-0c1d2e3f4a5d", "identifier_type": "Charity number",
        "identifier": "1234567"}]
    third["organization"]["id"] = third["organization_id"] = "5e0a8a3c-0d5b-4a53-8f1e-0c1d2e3f4a5e"
    third["organization"]["organization_identifiers"] = [{
        "id": "5e0a8a3c-0d5b-4a53-8f1e-0c1d2e3f4a5f", "identifier_scheme": "GB-CHC",
        "identifier_type": "Charity number", "identifier": "1234567"}]
    assert _counts(_import(app, tmp_path, [first, second, third]))[5] == 1
    organisations = session.scalars(select(Organisation)).all()
    assert [(o.id, o.charity_number) for o in organisations] == [(first["organization"]["id"],
                                                                  "1234567")]
    assert {s.organisation_id for s in session.scalars(select(Service))} == {organisations[0].id}


def test_import_oruk_child_id_of_another_service_is_reported(app, session, reference, tmp_path):
    clash = copy.deepcopy(DEMO[5])
    clash["phones"][0]["id"] = DEMO[4]["phones"][0]["id"]  # already another service's phone
    result = _import(app, tmp_path, [DEMO[4], clash, DEMO[6]])
    assert _counts(result)[:4] == (2, 0, 0, 1)
    assert result.stderr.strip() == (
        f"Record 1 (id {clash['id']}): $.phones[0].id: is already used by another service "
        f"({DEMO[4]['id']})")
    assert set(session.scalars(select(Service.id))) == {DEMO[4]["id"], DEMO[6]["id"]}


REFUSE_TRIGGER = {
    "sqlite": ["CREATE TRIGGER refuse_phone BEFORE INSERT ON phone WHEN NEW.number = '000' "
               "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"],
    "postgresql": [
        "CREATE FUNCTION refuse_phone() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'refused by a test trigger'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_phone BEFORE INSERT ON phone FOR EACH ROW "
        "WHEN (NEW.number = '000') EXECUTE FUNCTION refuse_phone()"],
}


def test_import_oruk_record_the_database_refuses_is_skipped_whole(app, session, reference,
                                                                  tmp_path, backend):
    for statement in REFUSE_TRIGGER[backend]:  # DDL in the test's transaction: rolled back
        session.execute(text(statement))
    refused = copy.deepcopy(DEMO[5])
    refused["phones"][0]["number"] = "000"
    result = _import(app, tmp_path, [DEMO[4], refused, DEMO[6]])
    assert _counts(result)[:4] == (2, 0, 0, 1)
    problems = [line for line in result.stderr.splitlines() if line.startswith("Record ")]
    assert problems == [f"Record 1 (id {refused['id']}): $: could not be written "
                        "(refused by a test trigger)"]
    assert set(session.scalars(select(Service.id))) == {DEMO[4]["id"], DEMO[6]["id"]}
    for model in (Schedule, ServiceAtLocation, Phone):
        assert session.scalar(select(func.count()).select_from(model).where(
            model.service_id == refused["id"])) == 0


def test_import_oruk_unknown_location_reference_is_reported(app, session, reference, tmp_path):
    record = copy.deepcopy(SATURDAY)
    record["service_at_locations"] = [{"id": SATURDAY["service_at_locations"][0]["id"],
                                       "location_id": "5e0a8a3c-0d5b-4a53-8f1e-0c1d2e3f4a60"}]
    result = _import(app, tmp_path, record)
    assert _counts(result)[:4] == (0, 0, 0, 1)
    assert result.stderr.strip() == (
        f"Record 0 (id {SATURDAY['id']}): $.service_at_locations[0].location_id: names no known "
        "location (5e0a8a3c-0d5b-4a53-8f1e-0c1d2e3f4a60)")


def test_import_oruk_file_that_is_not_json_is_refused(app, tmp_path):
    path = tmp_path / "services.json"
    path.write_text("{not json", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["directory", "import-oruk", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path} is not an Open Referral UK JSON file" in result.output


def test_import_oruk_keeps_a_confidential_venue_and_export_never_shows_it(app, session, reference,
                                                                          tmp_path):
    _import(app, tmp_path, [SATURDAY, REFUGE, INACTIVE])
    venue = session.get(Location, REFUGE["service_at_locations"][0]["location"]["id"])
    assert venue.confidential and venue.postcode and venue.latitude is not None
    out = tmp_path / "export.json"
    result = app.test_cli_runner().invoke(args=["directory", "export-oruk", str(out)])
    assert result.output == f"Exported 2 published services to {out}.\n"
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in exported) == sorted([SATURDAY["id"], REFUGE["id"]])
    for document in exported:
        assert schema_errors(document, "service") == []
    text = out.read_text(encoding="utf-8")
    address = REFUGE["service_at_locations"][0]["location"]["addresses"][0]
    for secret in (address["address_1"], address["postal_code"], str(venue.latitude),
                   str(venue.longitude)):
        assert secret not in text
    # Our own export imported again is the same directory: nothing changes, nothing leaks.
    before = _versions(session)
    assert _counts(_import(app, tmp_path, exported, "again.json"))[:4] == (0, 0, 2, 0)
    assert _versions(session) == before
    assert session.get(Location, venue.id).postcode == address["postal_code"]


def test_demo_loads_the_directory_once(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    published = select(func.count()).select_from(Service).where(
        Service.published.is_(True), Service.status == "active")
    assert session.scalar(published) >= 300
    assert session.scalar(select(func.count()).select_from(Organisation)) >= 60
    with app.app_context():  # accounts have encrypted columns
        editor = session.scalar(select(User).where(User.email == "editor@demo.portal.test"))
        (organisation,) = editor.organisations
    torquay = [s for s in organisation.services if "torquay" in [x.slug for x in s.localities]]
    assert len(torquay) >= 3
    assert all(team.localities for team in session.scalars(select(CareTeam)))
    before = _versions(session)
    sals = session.scalar(select(func.count()).select_from(ServiceAtLocation))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _versions(session) == before
    assert session.scalar(select(func.count()).select_from(ServiceAtLocation)) == sals
