"""Validate documents against the official Open Referral UK 3.0 schemas, strictly.

The schemas are the portal's vendored copy (``portal/directory/schemas/oruk3``, copied unchanged
from the standard), resolved through a ``referencing.Registry`` so no network is needed.
Formats (uuid, email, date-time, where checkers are installed) are asserted too, which draft
2020-12 leaves optional.
"""

from __future__ import annotations

from typing import Any

from portal.directory.oruk_schema import validator

# Which schema each API path answers with (list pages, then single objects).
SCHEMA_FOR_PATH = {
    "/api/": "api_details",
    "/api/services": "service_list",
    "/api/organizations": "organization_list",
    "/api/taxonomies": "taxonomy_list",
    "/api/taxonomy_terms": "taxonomy_term_list",
    "/api/service_at_locations": "service_at_location_list",
}
SCHEMA_FOR_DETAIL = {
    "services": "service",
    "organizations": "organization",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "service_at_locations": "service_at_location",
}
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
             "empty", "contents"}


def schema_errors(document: Any, schema: str) -> list[str]:
    return [f"{e.json_path}: {e.message}"
            for e in validator(schema, check_formats=True).iter_errors(document)]


def assert_valid(document: Any, schema: str) -> None:
    errors = schema_errors(document, schema)
    assert errors == [], f"{schema}: {errors[:5]}"
    if schema.endswith("_list"):
        assert set(document) == PAGE_KEYS, sorted(document)


def schema_for_url(url: str) -> str:
    path = url.split("?", 1)[0]
    if path in SCHEMA_FOR_PATH:
        return SCHEMA_FOR_PATH[path]
    parts = path.strip("/").split("/")
    assert len(parts) == 3 and parts[0] == "api", path
    return SCHEMA_FOR_DETAIL[parts[1]]


def get_valid(client: Any, url: str, status: int = 200) -> Any:
    """GET an API url, check status, CORS and JSON, validate the body; return the JSON."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data()[:300])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/json"
    body = response.get_json()
    if status == 200:
        assert_valid(body, schema_for_url(url))
    else:
        assert set(body) == {"error"} and body["error"], body
    return body
