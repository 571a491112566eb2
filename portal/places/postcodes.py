"""UK postcodes: validation, normalisation, geocoding from the postcode table, distances."""

from __future__ import annotations

import math
import re

from sqlalchemy.orm import Session

from portal.places.models import Postcode

# The UK postcode format (incl. GIR 0AA); spaces and case are normalised first.
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)
EARTH_RADIUS_KM = 6371.0088


def normalise_postcode(text: str | None) -> str | None:
    """"tq1 1aa" -> "TQ1 1AA"; None when it is not a valid UK postcode."""
    if not text or len(text) > 16:
        return None
    compact = re.sub(r"\s+", "", text).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def geocode(session: Session, postcode: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a normalised postcode, or None if the table does not know it."""
    row = session.get(Postcode, postcode)
    return (row.latitude, row.longitude) if row else None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
