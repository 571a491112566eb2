"""Query parameters of the Open Referral UK API: parsed, checked, normalised.

A value that cannot mean anything (``page=abc``, ``day=XX``, an unknown postcode) is a 400 with
a JSON ``{"error": "..."}`` that says what to send instead; a value that is merely too big
(``per_page=1000``) is brought within range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import abort
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.directory.queries import DAYS, ServiceFilters
from portal.places.postcodes import geocode, normalise_postcode

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PER_PAGE_MINIMAL = 10_000
MAX_TEXT = 500
MAX_DIGITS = 100
MAX_PAGE = 1_000_000_000  # pages beyond the end are empty; this only keeps numbers sane
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


def bad_request(message: str) -> NoReturn:
    abort(400, description=message)


def text(args: MultiDict[str, str], name: str) -> str | None:
    value = args.get(name, "").strip()
    if len(value) > MAX_TEXT:
        bad_request(f"{name} must be {MAX_TEXT} characters or fewer.")
    if not value.isprintable():
        bad_request(f"{name} must not contain control characters.")
    return value or None


def whole_number(args: MultiDict[str, str], name: str, *, minimum: int, maximum: int | None = None,
                 default: int | None = None) -> int | None:
    raw = (text(args, name) or "").replace("_", " ")  # int() would accept "1_000"
    if not raw:
        return default
    try:
        value = int(raw) if len(raw) <= MAX_DIGITS else None
    except ValueError:
        value = None
    if value is None:
        bad_request(f"{name} must be a whole number.")
    if value < minimum:
        bad_request(f"{name} must be {minimum} or more.")
    return min(value, maximum) if maximum is not None else value


def boolean(args: MultiDict[str, str], name: str) -> bool:
    raw = args.get(name, "").strip().lower()
    if raw in TRUE:
        return True
    if raw not in FALSE:
        bad_request(f"{name} must be true or false.")
    return False


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int


def paging(args: MultiDict[str, str], *, maximum: int = MAX_PER_PAGE,
           default: int = DEFAULT_PER_PAGE) -> Paging:
    page = whole_number(args, "page", minimum=1, maximum=MAX_PAGE, default=1)
    per_page = whole_number(args, "per_page", minimum=1, maximum=maximum, default=default)
    return Paging(page or 1, per_page or default)


def modified_after(args: MultiDict[str, str]) -> datetime | None:
    raw = text(args, "modified_after")
    if raw is None:
        return None
    # A "+01:00" offset arrives as " 01:00" when the client did not encode the "+".
    raw = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw.replace("Z", "+00:00").replace("z", "+00:00"))
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        bad_request("modified_after must be a date and time such as 2026-01-31T09:00:00Z.")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def day(args: MultiDict[str, str]) -> str | None:
    raw = text(args, "day")
    if raw is None:
        return None
    if raw.upper() not in DAYS:
        bad_request("day must be one of MO, TU, WE, TH, FR, SA, SU.")
    return raw.upper()


def locality(args: MultiDict[str, str], known: set[str]) -> str | None:
    raw = text(args, "locality")
    if raw is None:
        return None
    if raw.lower() not in known:
        bad_request("locality must be one of: " + ", ".join(sorted(known)) + ".")
    return raw.lower()


@dataclass(frozen=True)
class Place:
    postcode: str
    latitude: float
    longitude: float


def place(session: Session, args: MultiDict[str, str]) -> Place | None:
    raw = text(args, "postcode")
    if raw is None:
        return None
    postcode = normalise_postcode(raw)
    if postcode is None:
        bad_request("postcode must be a real UK postcode, such as TQ1 1AA.")
    point = geocode(session, postcode)
    if point is None:
        bad_request(f"We do not know where the postcode {postcode} is.")
    return Place(postcode, *point)


def service_filters(session: Session, args: MultiDict[str, str], localities: set[str]
                    ) -> ServiceFilters:
    return ServiceFilters(
        taxonomy_term_id=text(args, "taxonomy_term_id"),
        taxonomy_id=text(args, "taxonomy_id"),
        organization_id=text(args, "organization_id"),
        modified_after=modified_after(args),
        age=whole_number(args, "age", minimum=0, maximum=150),
        day=day(args),
        locality=locality(args, localities),
    )


def list_page(contents: list[Any], *, total: int, paging: Paging) -> dict[str, Any]:
    """The ORUK page wrapper around one page of ``contents``."""
    total_pages = max(1, -(-total // paging.per_page)) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
