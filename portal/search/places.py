"""Where a searcher is: from a postcode to coordinates and to a care locality.

A postcode's locality comes from ``portal/directory/data/localities.json``: by postcode
sector first ("TQ1 1"), then by district ("TQ1") when the sector is not listed. Sectors are
exact (each belongs to one locality); districts that span two localities fall back to the
first locality that lists them. This needs no venue data, so a searcher in a village with no
venues still gets the services that cover their locality.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from portal.places.postcodes import geocode, normalise_postcode

LOCALITIES_FILE = Path(__file__).resolve().parents[1] / "directory" / "data" / "localities.json"


@dataclass(frozen=True)
class Place:
    postcode: str
    latitude: float
    longitude: float
    locality: str | None

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)

    @property
    def district(self) -> str:
        return self.postcode.split(" ")[0]


class PostcodeError(ValueError):
    """``kind`` is "malformed" (not a UK postcode) or "unknown" (not in the postcode table)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@lru_cache(maxsize=1)
def _postcode_maps() -> tuple[dict[str, str], dict[str, str]]:
    sectors: dict[str, str] = {}
    districts: dict[str, str] = {}
    for locality in json.loads(LOCALITIES_FILE.read_text(encoding="utf-8")):
        for sector in locality.get("postcode_sectors", []):
            sectors.setdefault(sector.upper(), locality["id"])
        for district in locality.get("postcode_districts", []):
            districts.setdefault(district.upper(), locality["id"])
    return sectors, districts


def locality_of_postcode(postcode: str | None) -> str | None:
    """The slug of the locality a normalised postcode ("TQ1 1AA") is in, or None."""
    if not postcode or " " not in postcode:
        return None
    sectors, districts = _postcode_maps()
    district, inward = postcode.split(" ", 1)
    return sectors.get(f"{district} {inward[:1]}") or districts.get(district)


def find_place(session: Session, text: str) -> Place:
    """The place a typed postcode names. Raises ``PostcodeError`` when it cannot be used."""
    postcode = normalise_postcode(text)
    if postcode is None:
        raise PostcodeError("malformed")
    point = geocode(session, postcode)
    if point is None:
        raise PostcodeError("unknown")
    return Place(postcode, point[0], point[1], locality_of_postcode(postcode))
