"""The vendored Open Referral UK 3.0 JSON Schemas, resolvable without any network access.

Every ``$ref`` in the official schemas points at ``SCHEMA_BASE + NAME.json``; a
``referencing.Registry`` maps that prefix onto ``schemas/oruk3/`` in this package.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "oruk3"
SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"


# Objects that ORUK feeds repeat in service after service (the same organisation, venue or
# taxonomy term): ``ServiceValidator`` checks each distinct one once.
SHARED = ("organization", "location", "taxonomy_term")


@lru_cache(maxsize=2)
def registry(*, shallow: bool = False) -> Registry:
    """Every official schema, under its official URL (static package data, read once).
    ``shallow``: the ``SHARED`` schemas only ask for an object (see ``ServiceValidator``)."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        if shallow and path.stem in SHARED:
            contents = {"type": "object"}
        resources.append((SCHEMA_BASE + path.name,
                          Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    """The schema called ``name`` ("service", "service_list", ...)."""
    return registry().contents(f"{SCHEMA_BASE}{name}.json")  # type: ignore[no-any-return]


@lru_cache(maxsize=32)
def validator(name: str, *, check_formats: bool = False) -> Draft202012Validator:
    """A validator for one schema. Formats (uuid, email, date-time) are annotations in draft
    2020-12; ``check_formats`` asserts them too (the tests use it on our own output)."""
    return Draft202012Validator(
        schema(name), registry=registry(),
        format_checker=FormatChecker() if check_formats else None,
    )


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the official OpenAPI description."""
    return json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


class ServiceValidator:
    """Validates ORUK services against ``service.json`` exactly as a plain validator would, but
    checks each distinct nested organisation, location and taxonomy term only once (a feed of
    10,000 services repeats a few hundred of them). Messages are "JSON path: what is wrong"."""

    MEMO_LIMIT = 50_000

    def __init__(self) -> None:
        shallow = registry(shallow=True)
        self._service = Draft202012Validator(
            shallow.contents(f"{SCHEMA_BASE}service.json"), registry=shallow)
        self._memo: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def problems(self, document: Any, limit: int = 3) -> list[str]:
        found = [(e.json_path, e.message) for e in itertools.islice(
            self._service.iter_errors(document), limit)]
        for path, kind, part in _shared_parts(document):
            found += [(path + sub_path[1:], message) for sub_path, message in self._check(kind, part)]
        return [f"{path}: {message}" for path, message in sorted(found)[:limit]]

    def _check(self, kind: str, part: dict[str, Any]) -> list[tuple[str, str]]:
        key = (kind, json.dumps(part, sort_keys=True, default=str))
        if key not in self._memo:
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = [(e.json_path, e.message) for e in itertools.islice(
                validator(kind).iter_errors(part), 3)]
        return self._memo[key]


def _shared_parts(document: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if not isinstance(document, dict):
        return
    if isinstance(document.get("organization"), dict):
        yield "$.organization", "organization", document["organization"]
    for key, inner, kind in (("service_at_locations", "location", "location"),
                             ("attributes", "taxonomy_term", "taxonomy_term")):
        items = document.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get(inner), dict):
                yield f"$.{key}[{i}].{inner}", kind, item[inner]
