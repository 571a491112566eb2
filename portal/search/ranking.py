"""Ordering results: by relevance, by distance, by coverage, by freshness.

Distance works on the "effective distance" of a service from the searcher:

* a venue's real distance (the nearest of its public venues);
* a service that covers the searcher's locality counts as ``COVER_KM`` away at most, however
  far its office is ("rank as near");
* an online or telephone service with no public venue counts as ``REMOTE_KM``: it stays in the
  results, after nearby in-person services;
* a listing not checked for 12 months gets ``STALE_KM`` added, so it ranks below current ones.

Documents are grouped into buckets of equal effective distance (one per venue position, plus
coverage, remote and the rest) and the buckets are walked in order with bitsets, so only the
page being shown is ever listed document by document.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, timedelta
from itertools import islice

from portal.search.bitsets import SearcherBits, iter_bits
from portal.search.places import Place
from portal.search.schema import CHECKED_NEVER, FLAG_REMOTE

COVER_KM = 3.0
REMOTE_KM = 10.0
STALE_KM = 5.0
FAR_KM = 10_000.0
STALE_AFTER_DAYS = 365
STALE_FACTOR = 0.5  # relevance of a stale listing, without a postcode
# Relevance with a postcode: nearby first (these boundaries), then by how well the words match.
TIERS_KM = (COVER_KM, REMOTE_KM, 25.0, 60.0)


def stale_bits(bits: SearcherBits, today: date) -> int:
    """Listings last checked more than ``STALE_AFTER_DAYS`` ago, or never."""
    cutoff = (today - timedelta(days=STALE_AFTER_DAYS)).isoformat()
    key = ("stale", cutoff)
    cached = bits.memo.get(key)
    if cached is None:
        cached = 0
        for value, mask in bits.fields["checked"].items():
            if value == CHECKED_NEVER or value < cutoff:
                cached |= mask
        bits.memo[key] = cached
    return cached


def is_stale(checked: str | None, today: date) -> bool:
    return checked is None or checked < (today - timedelta(days=STALE_AFTER_DAYS)).isoformat()


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km (equirectangular: exact enough at city scale, and quick)."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    x = math.radians(b[1] - a[1]) * math.cos(mean_lat)
    y = math.radians(b[0] - a[0])
    return 6371.0088 * math.hypot(x, y)


def nearest_km(place: Place, points: list[tuple[float, float]] | list[list[float]]) -> float | None:
    distances = [km_between(place.point, (p[0], p[1])) for p in points]
    return min(distances) if distances else None


def buckets(bits: SearcherBits, place: Place, stale: int) -> list[tuple[float, int]]:
    """(effective distance, documents) in ascending distance; a document may be in several
    buckets, and counts at the first one it appears in."""
    found: list[tuple[float, int]] = []
    for token, mask in bits.fields["geo"].items():
        lat, _sep, lon = token.partition(",")
        try:
            found.append((km_between(place.point, (float(lat), float(lon))), mask))
        except ValueError:
            continue
    if place.locality:
        found.append((COVER_KM, bits.value("locality", place.locality)))
    found.append((REMOTE_KM, bits.value("flags", FLAG_REMOTE)))
    found.append((FAR_KM, bits.live))
    fresh = bits.live & ~stale
    split = [(km, mask & fresh) for km, mask in found]
    split += [(km + STALE_KM, mask & stale) for km, mask in found]
    split.sort(key=lambda item: item[0])
    return [(km, mask) for km, mask in split if mask]


def tiers(ordered: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """Buckets merged into the distance tiers used for relevance with a postcode."""
    merged: dict[int, int] = {}
    first_km: dict[int, float] = {}
    for km, mask in ordered:
        tier = bisect_right(TIERS_KM, km - 1e-9)
        merged[tier] = merged.get(tier, 0) | mask
        first_km.setdefault(tier, km)
    return [(first_km[t], merged[t]) for t in sorted(merged)]


def score_groups(weighted: list[tuple[float, int]], final: int, stale: int,
                 stale_factor: float = 1.0) -> list[tuple[float, int]]:
    """``final`` split into groups of documents with the same score, best first.

    A document's score is the sum of the weights of the sets it is in, times ``stale_factor``
    when it is stale.
    """
    groups: list[tuple[float, int]] = [(0.0, final)]
    for weight, mask in weighted:
        split: list[tuple[float, int]] = []
        for score, group in groups:
            inside = group & mask
            if inside:
                split.append((score + weight, inside))
                outside = group & ~mask
                if outside:
                    split.append((score, outside))
            else:
                split.append((score, group))
        groups = split
    if stale_factor != 1.0 and stale:
        groups = [(score * factor, group & part) for score, group in groups
                  for factor, part in ((1.0, ~stale), (stale_factor, stale)) if group & part]
    groups.sort(key=lambda item: -item[0])
    return groups


def page(orders: list[list[tuple[float, int]]], final: int, offset: int, limit: int) -> list[int]:
    """Document numbers ``offset`` to ``offset + limit`` of ``final``, ordered by each list of
    groups in turn (the first decides, the next breaks its ties...), then by document number.

    Only the groups that reach into the page are looked into, so a page costs a few set
    operations per group, whatever the number of matches.
    """
    def visit(level: int, documents: int, skip: int, take: int) -> list[int]:
        if level == len(orders):
            return list(islice(iter_bits(documents), skip, skip + take))
        found: list[int] = []
        assigned = 0
        position = 0
        for _key, group in [*orders[level], (math.inf, documents)]:
            if position >= skip + take:
                break
            new = group & documents & ~assigned
            if not new:
                continue
            assigned |= new
            count = new.bit_count()
            if position + count > skip:
                first = max(0, skip - position)
                found += visit(level + 1, new, first, min(count - first, skip + take - position - first))
            position += count
        return found

    return visit(0, final, offset, limit) if final and limit > 0 else []


def score_of(docnum: int, groups: list[tuple[float, int]]) -> float:
    for score, group in groups:
        if group >> docnum & 1:
            return score
    return 0.0


# Relevance with a postcode: a listing's relevance times the weight of its distance tier
# (within COVER_KM, REMOTE_KM, 25 km, 60 km, further), so that a near listing that barely
# matches does not outrank one that answers the whole query a little further away.
TIER_DECAY = (1.0, 0.8, 0.6, 0.45, 0.3)


def blend(scores: list[tuple[float, int]], distance_tiers: list[tuple[float, int]]
          ) -> list[tuple[float, int]]:
    """Groups of equal blended score (relevance x distance decay), best first. A document in
    several tiers counts in its nearest one."""
    blended: list[tuple[float, int]] = []
    assigned = 0
    for km, tier_mask in distance_tiers:
        decay = TIER_DECAY[min(bisect_right(TIERS_KM, km - 1e-9), len(TIER_DECAY) - 1)]
        new = tier_mask & ~assigned
        assigned |= tier_mask
        for score, group in scores:
            part = group & new
            if part:
                blended.append((score * decay, part))
    blended.sort(key=lambda item: -item[0])
    return blended
