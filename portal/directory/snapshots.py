"""Comparing an imported record with the rows it would change (used by the importer).

``snapshot(service)`` reads what a record would say about a stored service; ``record_snapshot``
says the same of an incoming record once its organisation, terms and venues are resolved. Equal
snapshots mean the import writes nothing for that record.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from portal.directory.models import (
    Contact,
    CostOption,
    Location,
    Organisation,
    Phone,
    Schedule,
    Service,
    TaxonomyTerm,
)
from portal.directory.oruk import stable_id
from portal.directory.oruk_read import (
    CONTACT_FIELDS,
    COST_OPTION_FIELDS,
    LOCATION_FIELDS,
    PHONE_FIELDS,
    SCHEDULE_FIELDS,
    SERVICE_FIELDS,
    ServiceRecord,
)

CHILDREN = (("phones", Phone, PHONE_FIELDS), ("contacts", Contact, CONTACT_FIELDS),
            ("schedules", Schedule, SCHEDULE_FIELDS),
            ("cost_options", CostOption, COST_OPTION_FIELDS))


def redacted(data: dict[str, Any]) -> bool:
    return bool(data["confidential"]) and not any(
        data[k] is not None for k in ("address_1", "postcode", "latitude", "longitude"))


def set_changed(obj: Any, **values: Any) -> Any:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
    return obj


def _naive_utc(value: Any) -> Any:
    if value is not None and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def child_ids(record: ServiceRecord) -> dict[str, list[str]]:
    ids = {"service_at_locations": [sal_id for sal_id, _loc, _data in record.locations]}
    for attr, _model, _names in CHILDREN:
        ids[attr] = [d["id"] or stable_id(record.id, attr, i)
                     for i, d in enumerate(getattr(record, attr))]
    return ids


def _first_two(item: tuple[str, str, Any]) -> tuple[str, str]:
    return item[0], item[1]


def snapshot(service: Service) -> dict[str, Any]:
    """What a record would say about this service, read from the rows."""
    return {
        "fields": {name: getattr(service, name) for name in SERVICE_FIELDS},
        "last_modified": _naive_utc(service.last_modified),
        "terms": sorted(t.id for t in service.terms),
        "localities": sorted(loc.slug for loc in service.localities),
        "locations": sorted(((sal.id, sal.location_id,
                              {k: getattr(sal.location, k) for k in LOCATION_FIELDS})
                             for sal in service.service_at_locations), key=_first_two),
        **{attr: [_child({n: getattr(child, n) for n in names}) for child in getattr(service, attr)]
           for attr, _model, names in CHILDREN},
    }


def _child(values: dict[str, Any]) -> dict[str, Any]:
    if "byday" in values and not values["byday"]:
        values["freq"] = None  # the column's default fills it in; without days it means nothing
    return values


def record_snapshot(record: ServiceRecord, organisation: Organisation,
                     terms: list[TaxonomyTerm], locations: list[tuple[str, Location]],
                     before: dict[str, Any] | None) -> dict[str, Any]:
    last_modified = record.last_modified
    if last_modified is None and before is not None:
        last_modified = before["last_modified"]  # not given: not a change
    return {
        "fields": {**record.fields, "organisation_id": organisation.id},
        "last_modified": last_modified,
        "terms": sorted(t.id for t in terms),
        "localities": list(record.localities),
        "locations": sorted(((sal_id, loc.id, {k: getattr(loc, k) for k in LOCATION_FIELDS})
                             for sal_id, loc in locations), key=_first_two),
        **{attr: [_child({n: (d[n] or stable_id(record.id, attr, i)) if n == "id" else d[n]
                          for n in names}) for i, d in enumerate(getattr(record, attr))]
           for attr, _model, names in CHILDREN},
    }
