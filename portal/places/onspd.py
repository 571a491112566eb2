"""Fill the postcode table from the ONS Postcode Directory (ONSPD) CSV.

Only three columns matter: ``pcds`` (the postcode), ``lat`` and ``long``; every other column is
ignored. Rows without coordinates (ONSPD writes 99.999999 / 0.000000 for postcodes it cannot
place) or with a malformed postcode are skipped. The file is streamed and written in batches,
so the full 2.7 million-row directory needs no more memory than one batch.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from portal.places.models import Postcode
from portal.places.postcodes import normalise_postcode

BATCH_SIZE = 5000
NO_COORDINATE = 99.999999  # ONSPD's "no grid reference" latitude


class OnspdError(ValueError):
    """The file is not in ONSPD's CSV layout."""


@dataclass
class OnspdCounts:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def _rows(lines: TextIO, counts: OnspdCounts) -> Iterator[tuple[str, float, float]]:
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader, [])]
    try:
        at = [header.index(name) for name in ("pcds", "lat", "long")]
    except ValueError:
        raise OnspdError("The file needs the columns pcds, lat and long.") from None
    for row in reader:
        counts.read += 1
        try:
            postcode = normalise_postcode(row[at[0]])
            latitude, longitude = float(row[at[1]]), float(row[at[2]])
        except (IndexError, ValueError):
            postcode = None
        if (postcode is None or abs(latitude - NO_COORDINATE) < 1e-9
                or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)):
            counts.skipped += 1
            continue
        yield postcode, latitude, longitude


def _batches(rows: Iterable[tuple[str, float, float]], size: int
             ) -> Iterator[dict[str, tuple[float, float]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        # A postcode repeated in the file: the last row wins.
        yield {postcode: (lat, lon) for postcode, lat, lon in batch}


def import_onspd(session: Session, lines: TextIO, *, batch_size: int = BATCH_SIZE,
                 after_batch: Callable[[OnspdCounts], None] | None = None) -> OnspdCounts:
    """Upsert the postcodes in ``lines`` (an open ONSPD CSV). ``after_batch`` may commit."""
    counts = OnspdCounts()
    for batch in _batches(_rows(lines, counts), batch_size):
        known = {row.postcode: (row.latitude, row.longitude) for row in session.execute(
            select(Postcode.postcode, Postcode.latitude, Postcode.longitude)
            .where(Postcode.postcode.in_(list(batch))))}
        new = [{"postcode": pc, "latitude": lat, "longitude": lon}
               for pc, (lat, lon) in batch.items() if pc not in known]
        changed = [{"key": pc, "lat": lat, "lon": lon}
                   for pc, (lat, lon) in batch.items() if pc in known and known[pc] != (lat, lon)]
        if new:
            session.execute(insert(Postcode), new)
        if changed:
            session.connection().execute(
                update(Postcode)
                .where(Postcode.__table__.c.postcode == bindparam("key"))
                .values(latitude=bindparam("lat"), longitude=bindparam("lon")),
                changed)
        counts.added += len(new)
        counts.updated += len(changed)
        counts.unchanged += len(batch) - len(new) - len(changed)
        if after_batch is not None:
            after_batch(counts)
    return counts
