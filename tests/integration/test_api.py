"""The Open Referral UK read API: every response validated against the official schemas."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

import pytest
from sqlalchemy import select

from portal import demo
from portal.directory.importer import import_services
from portal.directory.models import Location, ServiceAtLocation
from portal.directory.reference import DATA_DIR, load_reference_taxonomies
from portal.places.onspd import import_onspd
from portal.places.postcodes import distance_km
from portal.search import SearchIndex
from portal.search.services import ServiceQuery, search_services
from tests.helpers.factories import make_organisation
from tests.helpers.oruk import assert_valid, get_valid

ALL = demo.read_services()
REFUGE = next(s for s in ALL if any(sal["location"].get("x_confidential")
                                    for sal in s["service_at_locations"]))
INACTIVE = next(s for s in ALL if s["status"] == "inactive")
NO_VENUE = next(s for s in ALL if not s["service_at_locations"])
TWO_VENUES = next(s for s in ALL if len(s["service_at_locations"]) > 1)
CHOSEN = [*ALL[:30], REFUGE, INACTIVE, NO_VENUE, TWO_VENUES]
PUBLISHED = [s for s in CHOSEN if s["status"] == "active"]
SATURDAY = ALL[0]  # Torquay Saturday Social, at TQ1 1AA
IN_PERSON = "55b85321-63dd-5f2f-920f-b0323b13a355"
DELIVERY_TAXONOMY = "0bbcec06-f398-58c1-bcd4-c8ac694cbdba"
BEFRIENDING = "1bb22610-9316-53d8-8260-47d932d84ea6"
SOCIAL_CLUBS = "21cacbfe-5fdf-5aac-a691-d17edcee7829"


@pytest.fixture
def directory(app, session):
    demo.load_localities(session)
    load_reference_taxonomies(session)
    with (DATA_DIR / "postcodes_demo.csv").open(encoding="utf-8", newline="") as fh:
        import_onspd(session, fh)
    summary = import_services(session, CHOSEN)
    assert summary.problems == []
    session.flush()
    SearchIndex.for_app(app).rebuild(session)
    return {s["id"]: s for s in PUBLISHED}


def _ids(body) -> list[str]:
    return [item["id"] for item in body["contents"]]


def _all_services(client, query: str = "") -> list[str]:
    return _ids(get_valid(client, f"/api/services?per_page=100{query}"))


# ---- api details and the OpenAPI description ------------------------------------------------

def test_api_details_names_the_version_and_our_openapi(client):
    body = get_valid(client, "/api/")
    assert body == {"version": "3.0", "profile": "https://openreferraluk.org/",
                    "openapi_url": "http://localhost/api/openapi.json"}


def test_api_openapi_describes_this_api(app, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    doc = response.get_json()
    assert doc["openapi"] == "3.0.0" and "summary" not in doc["info"]
    assert "jsonSchemaDialect" not in doc and doc["servers"] == [{"url": "/api"}]
    ours = {r.rule.removeprefix("/api").replace("<", "{").replace(">", "}")
            for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    described = {path.replace("{id}", "{x}") for path in doc["paths"]}
    assert described == {p if "{" not in p else p[:p.index("{")] + "{x}" for p in ours} - {
        "/openapi.json"}
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[1]
             for p in doc["paths"]["/services"]["get"]["parameters"]}
    assert {"search", "page", "per_page", "postcode", "age", "day", "locality",
            "taxonomy_term_id", "modified_after"} <= names


# ---- services ---------------------------------------------------------------------------------

def test_api_services_lists_published_services_only(client, directory):
    body = get_valid(client, "/api/services?per_page=100")
    assert sorted(_ids(body)) == sorted(directory)
    assert INACTIVE["id"] not in _ids(body)
    assert (body["total_items"], body["total_pages"], body["first_page"], body["last_page"]) == (
        len(directory), 1, True, True)


def test_api_services_pages_through_the_directory(client, directory):
    first = get_valid(client, "/api/services?per_page=5")
    second = get_valid(client, "/api/services?per_page=5&page=2")
    assert (second["page_number"], second["size"], second["first_page"]) == (2, 5, False)
    assert not set(_ids(first)) & set(_ids(second))
    pages = -(-len(directory) // 5)
    last = get_valid(client, f"/api/services?per_page=5&page={pages}")
    assert last["last_page"] and last["size"] == len(directory) - 5 * (pages - 1)
    beyond = get_valid(client, "/api/services?per_page=5&page=1000")
    assert (beyond["empty"], beyond["contents"], beyond["page_number"]) == (True, [], 1000)
    huge = get_valid(client, "/api/services?page=" + "9" * 40)
    assert huge["empty"] and huge["page_number"] == 1_000_000_000


def test_api_services_per_page_over_100_is_clamped(client, directory):
    body = get_valid(client, "/api/services?per_page=1000")
    assert body["size"] == len(directory) <= 100 and body["total_pages"] == 1


@pytest.mark.parametrize(("query", "message"), [
    ("page=0", "page must be 1 or more."),
    ("page=-1", "page must be 1 or more."),
    ("page=abc", "page must be a whole number."),
    ("page=1.5", "page must be a whole number."),
    ("per_page=0", "per_page must be 1 or more."),
    ("per_page=abc", "per_page must be a whole number."),
    ("page=" + "9" * 200, "page must be a whole number."),
    ("minimal=perhaps", "minimal must be true or false."),
    ("day=XX", "day must be one of MO, TU, WE, TH, FR, SA, SU."),
    ("age=old", "age must be a whole number."),
    ("age=-3", "age must be 0 or more."),
    ("modified_after=yesterday",
     "modified_after must be a date and time such as 2026-01-31T09:00:00Z."),
    ("postcode=not-a-postcode", "postcode must be a real UK postcode, such as TQ1 1AA."),
    ("postcode=SW1A%201AA", "We do not know where the postcode SW1A 1AA is."),
    ("format=xml", "format must be json."),
    ("search=" + "x" * 501, "search must be 500 characters or fewer."),
    ("search=a%00b", "search must not contain control characters."),
    ("organization_id=%00", "organization_id must not contain control characters."),
    ("per_page=1_0", "per_page must be a whole number."),
])
def test_api_services_bad_parameters_get_a_json_400(client, directory, query, message):
    assert get_valid(client, f"/api/services?{query}", 400) == {"error": message}


def test_api_services_unknown_locality_lists_the_real_ones(client, directory):
    body = get_valid(client, "/api/services?locality=atlantis", 400)
    assert body["error"].startswith("locality must be one of: city-centre, coastal, devonport")


def test_api_services_full_and_minimal(client, directory):
    full = get_valid(client, "/api/services?full=true&per_page=100")
    for item in full["contents"]:
        assert_valid(item, "service")
    assert all("schedules" in item for item in full["contents"])
    minimal = get_valid(client, "/api/services?minimal=true")
    assert minimal["size"] == len(directory)
    assert {frozenset(item) for item in minimal["contents"]} == {
        frozenset({"id", "name", "status", "last_modified"})}


def test_api_services_filter_by_organisation_and_taxonomy(client, directory):
    org = SATURDAY["organization_id"]
    assert sorted(_all_services(client, f"&organization_id={org}")) == sorted(
        i for i, s in directory.items() if s["organization_id"] == org)
    tagged = {i for i, s in directory.items()
              if SOCIAL_CLUBS in [a["taxonomy_term_id"] for a in s["attributes"]]}
    assert set(_all_services(client, f"&taxonomy_term_id={SOCIAL_CLUBS}")) == tagged
    assert tagged <= set(_all_services(client, f"&taxonomy_term_id={BEFRIENDING}"))
    in_person = {i for i, s in directory.items()
                 if IN_PERSON in [a["taxonomy_term_id"] for a in s["attributes"]]}
    assert set(_all_services(client, f"&taxonomy_term_id={IN_PERSON}")) == in_person
    assert 0 < len(tagged) < len(in_person) < len(directory)
    assert set(_all_services(client, f"&taxonomy_id={DELIVERY_TAXONOMY}")) == set(directory)
    assert _all_services(client, "&taxonomy_term_id=no-such-term") == []


def test_api_services_filter_by_modified_after(client, directory):
    cutoff = sorted(s["last_modified"] for s in directory.values())[len(directory) // 2]
    expected = {i for i, s in directory.items() if s["last_modified"] >= cutoff}
    assert 0 < len(expected) < len(directory)
    assert set(_all_services(client, f"&modified_after={quote(cutoff)}")) == expected
    offset = datetime.fromisoformat(cutoff.replace("Z", "+00:00")).strftime(
        "%Y-%m-%dT%H:%M:%S.%f+00:00")
    assert set(_all_services(client, f"&modified_after={offset.replace('+', '%2B')}")) == expected


def test_api_services_filter_by_age_day_and_locality(client, directory):
    for_ten = {i for i, s in directory.items()
               if s.get("minimum_age", 0) <= 10 <= s.get("maximum_age", 200)}
    assert set(_all_services(client, "&age=10")) == for_ten
    saturday = {i for i, s in directory.items() if any(
        "SA" in (sch.get("byday") or "") and sch.get("freq") for sch in s["schedules"])}
    assert set(_all_services(client, "&day=sa")) == saturday
    torquay = {i for i, s in directory.items()
               if "torquay" in [a["extent"] for a in s["service_areas"]]}
    assert set(_all_services(client, "&locality=torquay")) == torquay
    for subset in (for_ten, saturday, torquay):  # each filter really filters
        assert 0 < len(subset) < len(directory)


def test_api_service_detail_is_a_full_valid_service(client, directory):
    body = get_valid(client, f"/api/services/{SATURDAY['id']}")
    assert body["name"] == "Torquay Saturday Social"
    assert body["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "TQ1 1AA"


@pytest.mark.parametrize("url", [
    "/api/services/{inactive}", "/api/services/no-such-id", "/api/organizations/no-such-id",
    "/api/taxonomies/no-such-id", "/api/taxonomy_terms/no-such-id",
    "/api/service_at_locations/no-such-id", "/api/services/" + "x" * 3000, "/api/services/%00",
    "/api/organizations/%00", "/api/taxonomies/%00", "/api/taxonomy_terms/%00",
    "/api/service_at_locations/%00",
])
def test_api_unknown_ids_are_a_json_404(client, directory, url):
    body = get_valid(client, url.format(inactive=INACTIVE["id"]), 404)
    assert body["error"].startswith("No published ") and body["error"].endswith(" has this id.")


def test_api_errors_are_json_with_cors(client):
    assert get_valid(client, "/api/nothing-here", 404) == {
        "error": "Nothing is published at this address."}
    response = client.post("/api/services")
    assert response.status_code == 405 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json() == {"error": "Only GET requests are answered here."}
    assert client.get("/api").headers["Access-Control-Allow-Origin"] == "*"


# ---- search: the search page's own engine ------------------------------------------------------

@pytest.fixture
def searchable(search_engine, directory, session):
    """The directory, in a fresh search engine of each kind the database allows."""
    if isinstance(search_engine, SearchIndex):
        search_engine.rebuild(session)
    else:
        search_engine.rebuild(session.connection())
    return directory


def _engine_ids(app, session, **query) -> list[str]:
    with app.test_request_context():
        result = search_services(session, None, ServiceQuery(**query))
    return [hit.service_id for hit in result.hits]


def _modified_cutoff(directory) -> str:
    return sorted(s["last_modified"] for s in directory.values())[len(directory) // 2]


@pytest.mark.parametrize("query", [
    f"organization_id={SATURDAY['organization_id']}", f"taxonomy_term_id={SOCIAL_CLUBS}",
    f"taxonomy_term_id={BEFRIENDING}", f"taxonomy_term_id={IN_PERSON}",
    f"taxonomy_id={DELIVERY_TAXONOMY}", "modified_after={cutoff}", "age=10", "day=sa",
    "locality=torquay", "taxonomy_term_id=no-such-term",
    f"organization_id={SATURDAY['organization_id']}&day=sa&age=70",
])
def test_api_services_search_applies_every_filter_like_the_plain_list(client, searchable, query):
    """The engine applies the Open Referral UK filters itself, to every match: with a postcode
    (which matches every listing) the services are exactly the plain list's, on each engine."""
    query = query.format(cutoff=quote(_modified_cutoff(searchable)))
    plain = _all_services(client, f"&{query}")
    body = get_valid(client, f"/api/services?per_page=100&postcode=TQ1%201AA&{query}")
    assert sorted(_ids(body)) == sorted(plain)
    assert body["total_items"] == len(plain)


def test_api_services_search_filters_count_every_match(client, searchable):
    """Totals are exact, however far down the ranking a filtered service is."""
    org = SATURDAY["organization_id"]
    expected = [i for i, s in searchable.items() if s["organization_id"] == org]
    body = get_valid(client, f"/api/services?per_page=1&postcode=TQ1%201AA&organization_id={org}")
    assert body["total_items"] == len(expected) and body["total_pages"] == len(expected)
    last = get_valid(client, f"/api/services?per_page=1&page={len(expected)}&postcode=TQ1%201AA"
                             f"&organization_id={org}")
    assert _ids(last)[0] in expected


def test_api_services_search_uses_the_search_page_engine(app, client, session, searchable):
    directory = searchable
    body = get_valid(client, "/api/services?search=lonely&per_page=10")
    assert body["total_items"] > 0
    assert _ids(body) == _engine_ids(app, session, text="lonely", per_page=10)
    org = SATURDAY["organization_id"]
    narrowed = _ids(get_valid(client, f"/api/services?search=lonely&organization_id={org}"))
    everything = _engine_ids(app, session, text="lonely", per_page=100)
    assert narrowed == [i for i in everything if directory[i]["organization_id"] == org]
    assert get_valid(client, "/api/services?search=lonely&page=500")["contents"] == []


@pytest.mark.parametrize("query", ["search=lonely", "search=club", "search=memory+problems+mum",
                                   "search=club&postcode=TQ1%201AA", "postcode=TQ1%201AA"])
def test_api_services_search_pages_follow_on_with_few_candidates(client, searchable, monkeypatch,
                                                                 query):
    """The PostgreSQL engine ranks exactly only the best candidates by a cheap score (whole
    blocks of them); with blocks of 4, paging 2 at a time still gives the whole ranking: the
    same total, the same services, each once, the best first."""
    from portal.search import postgres

    whole = get_valid(client, f"/api/services?{query}&per_page=100")
    monkeypatch.setattr(postgres, "CANDIDATES", 4)
    paged: list[str] = []
    for page in range(1, whole["total_pages"] * 50 + 1):
        body = get_valid(client, f"/api/services?{query}&per_page=2&page={page}")
        assert body["total_items"] == whole["total_items"]
        paged += _ids(body)
        if len(paged) >= min(whole["total_items"], 100):
            break
    assert whole["total_items"] > 2
    assert sorted(paged) == sorted(_ids(whole)[:len(paged)])  # each once, none left out
    assert paged[:2] == _ids(whole)[:2]


@pytest.mark.parametrize("words", ['AND ( * " ~', "x" * 500, "<script>alert(1)</script>", "lonely",
                                   "Saturday"])
def test_api_services_search_takes_any_words(client, searchable, words):
    body = get_valid(client, f"/api/services?search={quote(words)}&postcode=TQ1%201AA&day=SA"
                             "&age=70&locality=torquay")
    assert body["size"] == len(body["contents"]) <= 50


def test_api_services_postcode_ranks_like_the_search_page(app, client, session, searchable):
    body = get_valid(client, "/api/services?postcode=tq11aa&per_page=10")
    assert _ids(body) == _engine_ids(app, session, postcode="TQ1 1AA", sort="distance",
                                     per_page=10)
    assert _ids(body)[0] == SATURDAY["id"]


# ---- service at locations, postcode and proximity -----------------------------------------------

def test_api_service_at_locations_lists_and_shows(client, directory):
    body = get_valid(client, "/api/service_at_locations?per_page=100")
    expected = {sal["id"] for s in directory.values() for sal in s["service_at_locations"]}
    assert set(_ids(body)) == expected
    sal = SATURDAY["service_at_locations"][0]
    detail = get_valid(client, f"/api/service_at_locations/{sal['id']}")
    assert detail["service"]["id"] == SATURDAY["id"]
    assert detail["location"]["addresses"][0]["postal_code"] == "TQ1 1AA"


def test_api_service_at_locations_near_a_postcode(client, session, directory):
    body = get_valid(client, "/api/service_at_locations?postcode=TQ1%201AA&proximity=2000"
                             "&per_page=100")
    here = (50.46537, -3.52804)
    distances = []
    for item in body["contents"]:
        location = session.get(Location, item["location_id"])
        distances.append(distance_km(here, (location.latitude, location.longitude)))
    assert distances == sorted(distances) and all(d <= 2.0 for d in distances)
    assert body["contents"][0]["service_id"] == SATURDAY["id"]
    within = {sal.id for sal in session.scalars(select(ServiceAtLocation))
              if sal.service_id in directory and sal.location.latitude is not None
              and not sal.location.confidential
              and distance_km(here, (sal.location.latitude, sal.location.longitude)) <= 2.0}
    assert set(_ids(body)) == within
    everything = get_valid(client, "/api/service_at_locations?postcode=TQ1%201AA&per_page=100")
    assert everything["total_items"] == sum(len(s["service_at_locations"])
                                            for s in directory.values())


def test_api_service_at_locations_proximity_needs_a_postcode(client, directory):
    assert get_valid(client, "/api/service_at_locations?proximity=500", 400) == {
        "error": "proximity needs a postcode."}
    assert get_valid(client, "/api/service_at_locations?postcode=TQ1%201AA&proximity=-5",
                     400) == {"error": "proximity must be 0 or more."}


def test_api_confidential_location_never_leaks(client, session, directory):
    sal = REFUGE["service_at_locations"][0]
    address = sal["location"]["addresses"][0]
    secrets = [address["address_1"], address["postal_code"], str(sal["location"]["latitude"]),
               str(sal["location"]["longitude"]), sal["location"]["name"]]
    venue_postcode = quote(address["postal_code"])
    urls = [f"/api/services/{REFUGE['id']}", "/api/services?full=true&per_page=100",
            "/api/service_at_locations?per_page=100", "/api/service_at_locations?full=true",
            f"/api/service_at_locations/{sal['id']}",
            f"/api/organizations/{REFUGE['organization_id']}?full_service=true",
            f"/api/service_at_locations?postcode={venue_postcode}&per_page=100",
            f"/api/service_at_locations?postcode={venue_postcode}&proximity=5000&per_page=100"]
    for url in urls:
        text = json.dumps(get_valid(client, url))
        for secret in secrets:
            assert secret not in text, (url, secret)
    near = get_valid(client, f"/api/service_at_locations?postcode={venue_postcode}"
                             "&proximity=5000&per_page=100")
    assert sal["id"] not in _ids(near)
    shown = get_valid(client, f"/api/service_at_locations/{sal['id']}")["location"]
    assert (shown["name"], shown["location_type"], shown["addresses"]) == (
        "Confidential location", "physical", [])


# ---- organisations and taxonomies ---------------------------------------------------------------

def test_api_organizations_list_and_detail(client, session, directory):
    hidden = make_organisation(session, name="No listings yet")
    body = get_valid(client, "/api/organizations?per_page=100")
    published_orgs = {s["organization_id"] for s in directory.values()}
    assert set(_ids(body)) == published_orgs and hidden.id not in _ids(body)
    full = get_valid(client, "/api/organizations?full_service=true&per_page=1")
    assert full["contents"][0]["services"]
    detail = get_valid(client, f"/api/organizations/{SATURDAY['organization_id']}")
    assert {s["id"] for s in detail["services"]} == {
        i for i, s in directory.items() if s["organization_id"] == SATURDAY["organization_id"]}
    assert detail["organization_identifiers"][0]["identifier_scheme"] == "GB-CHC"
    get_valid(client, f"/api/organizations/{hidden.id}", 404)
    assert _ids(get_valid(client, "/api/organizations?search=friendship%20circle")) == [
        SATURDAY["organization_id"]]


def test_api_taxonomies_and_terms(client, directory):
    taxonomies = get_valid(client, "/api/taxonomies")
    assert sorted(t["name"] for t in taxonomies["contents"]) == [
        "Community needs", "How the service is delivered"]
    needs = next(t for t in taxonomies["contents"] if t["name"] == "Community needs")
    detail = get_valid(client, f"/api/taxonomies/{needs['id']}")
    assert len(detail["taxonomy_terms"]) > 20
    children = get_valid(client, f"/api/taxonomy_terms?parent_id={BEFRIENDING}&per_page=100")
    assert SOCIAL_CLUBS in _ids(children)
    top = get_valid(client, f"/api/taxonomy_terms?top_only=true&taxonomy_id={needs['id']}"
                            "&per_page=100")
    assert BEFRIENDING in _ids(top) and SOCIAL_CLUBS not in _ids(top)
    delivery = get_valid(client, f"/api/taxonomy_terms?taxonomy_id={DELIVERY_TAXONOMY}")
    assert sorted(t["code"] for t in delivery["contents"]) == [
        "home-visit", "in-person", "online", "telephone"]
    term = get_valid(client, f"/api/taxonomy_terms/{SOCIAL_CLUBS}")
    assert (term["name"], term["parent_id"]) == ("Social clubs and groups", BEFRIENDING)
    assert _ids(get_valid(client, "/api/taxonomy_terms?search=men%27s%20sheds")) == [
        "35d7d399-9839-5ffc-8c4d-aa9494858f0d"]
