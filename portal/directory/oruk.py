"""Open Referral UK 3.0 <-> the directory's models, both ways.

Publishing (``service_to_oruk`` and friends) turns rows into ORUK objects that validate against
the official schemas. Reading (``parse_service``) turns one ORUK service into a plain, comparable
record that the importer writes; the ``*_FIELDS`` tuples name the model attributes a record holds,
so the importer can tell an unchanged service from a changed one.

Conventions (shared with the demo data, ``demo/directory``, and its generator
``tools/demo_generator.py``):

* Attendance is published twice: ``attributes`` with ``link_type`` "delivery_method" linking the
  terms of ``data/delivery_methods.json`` (codes = ``Attendance`` values), and a "virtual"
  location for online and telephone services when the data has one.
* The localities a service covers are ``service_areas``: ``extent`` = locality slug,
  ``extent_type`` "text", ``uri`` "urn:x-portal:locality:<slug>".
* A confidential venue (a refuge) is published as a physical location with a generic name and
  description, ``"x_confidential": true`` and no address, postcode or coordinates. Imports mark
  one the same way; its address is kept for staff and distances, never published. Importing
  such a redacted copy again leaves the stored venue as it is (see the importer).
* Objects the models keep without an id of their own (service areas, attributes, languages,
  addresses, identifiers, accessibility) get stable uuid5 ids, so output is the same every time.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from portal.directory import recurrence
from portal.directory.models import (
    Attendance,
    CostOption,
    Location,
    LocationType,
    Organisation,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
ID_NAMESPACE = uuid.UUID("5b0c7e0e-3c1a-4d57-9d0e-7b3f0a1c2d10")
LOCALITY_URI = "urn:x-portal:locality:"
CONFIDENTIAL_NAME = "Confidential location"
CONFIDENTIAL_DESCRIPTION = ("The address of this location is confidential. "
                            "It is given when you contact the service.")
ATTENDING_TEXT = {Attendance.IN_PERSON: "in person", Attendance.ONLINE: "online",
                  Attendance.TELEPHONE: "telephone", Attendance.HOME_VISIT: "home visit"}
IDENTIFIER_SCHEMES = {"GB-CHC": ("charity_number", "Charity number"),
                      "GB-COH": ("company_number", "Company number")}


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(p) for p in parts)))


def iso_datetime(value: datetime) -> str:
    """UTC with millisecond accuracy, as ORUK asks: 2026-03-19T13:23:19.171Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _clean(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None}


@lru_cache(maxsize=1)
def delivery_methods() -> dict[str, Any]:
    """The delivery-method taxonomy shipped in ``data/delivery_methods.json`` (static)."""
    return json.loads((DATA_DIR / "delivery_methods.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def delivery_term_codes() -> dict[str, str]:
    """Delivery-method term id -> attendance code."""
    return {t["id"]: t["code"] for t in delivery_methods()["terms"]}


# ---------------------------------------------------------------------------------------------
# Publishing: models -> ORUK
# ---------------------------------------------------------------------------------------------

def taxonomy_term_to_oruk(term: TaxonomyTerm) -> dict[str, Any]:
    return _clean({
        "id": term.id, "name": term.name, "description": term.description or "",
        "parent_id": term.parent_id,
        "taxonomy": term.taxonomy.name if term.taxonomy is not None else None,
        "taxonomy_id": term.taxonomy_id, "term": term.name, "code": term.code,
    })


def taxonomy_to_oruk(taxonomy: Taxonomy, *, terms: bool = True) -> dict[str, Any]:
    out = _clean({"id": taxonomy.id, "name": taxonomy.name,
                  "description": taxonomy.description or "", "uri": taxonomy.uri,
                  "version": taxonomy.version})
    if terms:
        out["taxonomy_terms"] = [taxonomy_term_to_oruk(t)
                                 for t in sorted(taxonomy.terms, key=lambda t: (t.name, t.id))]
    return out


def organization_to_oruk(org: Organisation, *, full: bool = True) -> dict[str, Any]:
    out = _clean({"id": org.id, "name": org.name, "description": org.description or "",
                  "email": org.email, "website": org.website})
    if full:
        out["organization_identifiers"] = [
            {"id": stable_id(org.id, scheme), "organization_id": org.id,
             "identifier_scheme": scheme, "identifier_type": label, "identifier": value}
            for scheme, (attr, label) in IDENTIFIER_SCHEMES.items()
            if (value := getattr(org, attr))
        ]
    return out


def location_to_oruk(location: Location, *, full: bool = True) -> dict[str, Any]:
    """A location. A confidential one never shows its address, postcode or coordinates."""
    if location.confidential:
        out = {"id": location.id, "location_type": LocationType.PHYSICAL.value,
               "name": CONFIDENTIAL_NAME, "description": CONFIDENTIAL_DESCRIPTION,
               "x_confidential": True}
        if full:
            out["addresses"] = []
            out["accessibility"] = _accessibility(location)
        return out
    out = _clean({"id": location.id, "location_type": LocationType(location.location_type).value,
                  "name": location.name, "description": location.description,
                  "latitude": location.latitude, "longitude": location.longitude})
    if full:
        out["addresses"] = _addresses(location)
        out["accessibility"] = _accessibility(location)
    return out


def _addresses(location: Location) -> list[dict[str, Any]]:
    if not (location.address_1 or location.postcode):
        return []
    kind = "postal" if location.location_type == LocationType.POSTAL else "physical"
    return [{"id": stable_id(location.id, "address"), "location_id": location.id,
             "address_1": location.address_1 or "", "city": location.city or "",
             "state_province": "", "postal_code": location.postcode or "", "country": "GB",
             "address_type": kind}]


def _accessibility(location: Location) -> list[dict[str, Any]]:
    return [_clean({"id": stable_id(location.id, "accessibility", i), "location_id": location.id,
                    "description": item.get("description"), "details": item.get("details"),
                    "url": item.get("url")})
            for i, item in enumerate(location.accessibility or [])]


def _status(service: Service) -> str:
    return getattr(service.status, "value", str(service.status))


def service_summary_to_oruk(service: Service) -> dict[str, Any]:
    """The one-to-one fields of a service and its organisation (list pages)."""
    return _clean({
        "id": service.id, "organization_id": service.organisation_id, "name": service.name,
        "description": service.description or "", "url": service.url, "email": service.email,
        "status": _status(service), "fees": service.fees_description,
        "minimum_age": service.minimum_age, "maximum_age": service.maximum_age,
        "assured_date": service.last_checked_on.isoformat() if service.last_checked_on else None,
        "last_modified": iso_datetime(service.last_modified) if service.last_modified else None,
        "organization": organization_to_oruk(service.organisation, full=False),
    })


def service_to_oruk(service: Service) -> dict[str, Any]:
    """A fully nested ORUK 3.0 service (schema/service.json)."""
    sid = service.id
    out = service_summary_to_oruk(service)
    out["organization"] = organization_to_oruk(service.organisation)
    if service.eligibility_description:
        out["eligibility_description"] = service.eligibility_description
    modes = service.attendance
    attending = ATTENDING_TEXT[modes[0]] if len(modes) == 1 else None
    out["schedules"] = [_schedule(s, sid, attending) for s in service.schedules]
    out["service_areas"] = [
        {"id": stable_id(sid, "area", loc.slug), "service_id": sid, "name": loc.name,
         "extent": loc.slug, "extent_type": "text", "uri": LOCALITY_URI + loc.slug,
         "service_area": f"{loc.name} locality ({loc.area})"}
        for loc in sorted(service.localities, key=lambda loc: loc.slug)]
    out["service_at_locations"] = [service_at_location_to_oruk(sal, service=False)
                                   for sal in service.service_at_locations]
    out["languages"] = [
        _clean({"id": stable_id(sid, "language", lang.get("code") or lang.get("name")),
                "service_id": sid, "name": lang.get("name"), "code": lang.get("code"),
                "note": lang.get("note")})
        for lang in service.languages or [] if lang.get("code") or lang.get("name")]
    out["cost_options"] = [_cost_option(c, sid) for c in service.cost_options]
    out["contacts"] = [
        _clean({"id": c.id, "service_id": sid, "name": c.name, "title": c.title,
                "email": c.email,
                "phones": [{"id": stable_id(c.id, "phone"), "number": c.phone}] if c.phone else None})
        for c in service.contacts]
    out["phones"] = [_clean({"id": p.id, "number": p.number, "description": p.description})
                     for p in service.phones]
    out["attributes"] = _attributes(service)
    return out


def _schedule(s: Any, sid: str, attending: str | None) -> dict[str, Any]:
    """One schedule in ORUK terms; ``recurrence.rule_of`` reads the same fields back."""
    rule = recurrence.rule_of(s)
    out: dict[str, Any] = {"id": s.id, "service_id": sid}
    recurring = rule.freq is not None and not rule.closed and (rule.days or rule.monthdays)
    if recurring:
        out["freq"] = rule.freq
        out["byday"] = recurrence.format_byday(rule.days)
        if rule.monthdays:
            out["bymonthday"] = ",".join(str(n) for n in rule.monthdays)
        if rule.interval > 1:
            out["interval"] = rule.interval
    if (recurring or rule.kind == "once") and not rule.closed:
        if s.opens_at is not None:
            out["opens_at"] = s.opens_at.strftime("%H:%M")
        if s.closes_at is not None:
            out["closes_at"] = s.closes_at.strftime("%H:%M")
    notes = None
    if s.closed:
        notes = "Closed."
    elif s.by_appointment:
        notes = "By appointment only."
    return _clean({
        **out, "description": s.description, "notes": notes,
        "dtstart": s.dtstart.isoformat() if s.dtstart else None,
        "until": s.until.isoformat() if s.until else None,
        "valid_from": s.valid_from.isoformat() if s.valid_from else None,
        "valid_to": s.valid_to.isoformat() if s.valid_to else None,
        "attending_type": attending,
    })


def _cost_option(c: CostOption, sid: str) -> dict[str, Any]:
    return _clean({"id": c.id, "service_id": sid, "option": c.option, "amount": c.amount,
                   "currency": c.currency, "amount_description": c.amount_description})


def _attributes(service: Service) -> list[dict[str, Any]]:
    sid = service.id
    out = [{"id": stable_id(sid, "attribute", t.id), "link_id": sid, "link_type": "need",
            "link_entity": "service", "taxonomy_term_id": t.id,
            "taxonomy_term": taxonomy_term_to_oruk(t)}
           for t in sorted(service.terms, key=lambda t: t.id)]
    methods = delivery_methods()
    terms = {t["code"]: t for t in methods["terms"]}
    for mode in service.attendance:
        term = terms[mode.value]
        out.append({
            "id": stable_id(sid, "attribute", term["id"]), "link_id": sid,
            "link_type": "delivery_method", "link_entity": "service",
            "taxonomy_term_id": term["id"],
            "taxonomy_term": {"id": term["id"], "name": term["name"],
                              "description": term["description"],
                              "taxonomy": methods["taxonomy"]["name"],
                              "taxonomy_id": term["taxonomy_id"], "term": term["name"],
                              "code": term["code"]},
        })
    return out


def service_at_location_to_oruk(sal: ServiceAtLocation, *, full: bool = True,
                                service: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sal.id, "service_id": sal.service_id,
                           "location_id": sal.location_id,
                           "location": location_to_oruk(sal.location, full=full)}
    if service:
        out["service"] = service_summary_to_oruk(sal.service)
    return out


def minimal_service_to_oruk(service: Service) -> dict[str, Any]:
    """``minimal=true``: just enough to see what changed (and still a valid list item)."""
    return _clean({"id": service.id, "name": service.name, "status": _status(service),
                   "last_modified": iso_datetime(service.last_modified)
                   if service.last_modified else None})
