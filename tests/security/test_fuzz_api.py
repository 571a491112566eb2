"""Fuzz the Open Referral UK API: any query string gets JSON (data or a 400), never a 500."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.factories import make_service

VALUES = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "-1", "0", "1e9", "NaN", "TQ1 1AA", "tq11aa", "MO", "SA,SU", "true",
                     "2026-13-45", "2026-11-23T10:00:00Z", '" OR 1=1 --', "AND ( * \" ~", "😀"]),
)
PARAMS = ["search", "page", "per_page", "taxonomy_term_id", "taxonomy_id", "organization_id",
          "modified_after", "minimal", "full", "postcode", "age", "day", "locality", "proximity",
          "format"]
ENDPOINTS = ["/api/services", "/api/organizations", "/api/taxonomies", "/api/taxonomy_terms",
             "/api/service_at_locations"]
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_api_lists_answer_any_query_with_json(client, session, endpoint):
    make_service(session)
    session.flush()

    @FUZZ
    @given(st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=5))
    def run(query):
        response = client.get(f"{endpoint}?{urlencode(query)}")
        assert response.status_code in (200, 400), (query, response.status_code)
        assert response.is_json
        assert response.headers["Access-Control-Allow-Origin"] == "*"

    run()


@FUZZ
@given(identifier=st.text(min_size=1, max_size=80))
def test_api_detail_pages_answer_any_id_with_json(client, identifier):
    from urllib.parse import quote

    for endpoint in ENDPOINTS:
        response = client.get(f"{endpoint}/{quote(identifier, safe='')}")
        assert response.status_code in (200, 404), (endpoint, identifier, response.status_code)
        assert response.is_json
