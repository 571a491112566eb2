"""Our OpenAPI description: the official Open Referral UK one, made true for this API.

Starting from the vendored official ``openapi.json``: drop the OpenAPI 3.1 keys a 3.0.0
document may not have (``info.summary``, ``jsonSchemaDialect``, ``summary`` on path
parameters), point ``servers`` at ``/api``, and describe our own parameters (``postcode``,
``age``, ``day``, ``locality`` on ``/services``) and JSON error responses.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from portal.directory.oruk_schema import openapi_document

EXTRA_SERVICE_PARAMETERS: dict[str, dict[str, Any]] = {
    "age": {"name": "age", "in": "query", "required": False,
            "description": "Only services open to a person of this age in years (0 to 150).",
            "schema": {"type": "integer", "minimum": 0, "maximum": 150}},
    "day": {"name": "day", "in": "query", "required": False,
            "description": "Only services with a regular session on this day of the week.",
            "schema": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]}},
    "locality": {"name": "locality", "in": "query", "required": False,
                 "description": "Only services that cover this care locality (its slug, "
                                "for example torquay).",
                 "schema": {"type": "string"}},
}
ERROR_SCHEMA = {"type": "object", "required": ["error"],
                "properties": {"error": {"type": "string",
                                         "description": "What was wrong, in plain words."}}}


@lru_cache(maxsize=1)
def _build() -> dict[str, Any]:
    doc = openapi_document()
    doc.pop("jsonSchemaDialect", None)
    info = doc["info"]
    info.pop("summary", None)
    info.pop("contact", None)
    info["title"] = "Your Health and Care Portal: community directory (Open Referral UK 3.0)"
    info["description"] = (
        "The published community directory for Torbay, South Devon and Plymouth as Open "
        "Referral UK 3.0 data. Open to everyone without a key; every response carries "
        "Access-Control-Allow-Origin: *. Pages hold at most 100 items (per_page is clamped). "
        "Errors are JSON objects with an 'error' message.")
    doc["servers"] = [{"url": "/api"}]
    components = doc.setdefault("components", {})
    components.setdefault("parameters", {}).update(EXTRA_SERVICE_PARAMETERS)
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["parameters"]["proximity"]["description"] = (
        "With postcode: only locations within this many metres of the postcode's centre, "
        "nearest first. Confidential locations never match.")
    error = {"description": "The request could not be answered; see 'error'.",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, item in doc["paths"].items():
        for parameter in item.get("parameters", []):
            parameter.pop("summary", None)
        operation = item["get"]
        operation["responses"]["400"] = copy.deepcopy(error)
        if "{id}" in path:
            operation["responses"]["404"] = {**copy.deepcopy(error),
                                             "description": "Nothing published has this id."}
    services = doc["paths"]["/services"]["get"]["parameters"]
    services.extend({"$ref": f"#/components/parameters/{name}"}
                    for name in ("postcode", *EXTRA_SERVICE_PARAMETERS))
    return doc


def openapi() -> dict[str, Any]:
    return copy.deepcopy(_build())
