"""Reference data the directory refers to: taxonomies.

A taxonomy file is ``{"taxonomy": {id, name, description, version?, uri?}, "terms": [{id, code,
name, description, parent_id, taxonomy_id}, ...]}`` (``data/taxonomy.json``,
``data/delivery_methods.json``). Loading is an upsert by id and writes nothing when nothing
changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.directory.models import Taxonomy, TaxonomyTerm

DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_FILES = ("taxonomy.json", "delivery_methods.json")


def _upsert(row: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def load_taxonomy(session: Session, data: dict[str, Any]) -> tuple[int, int]:
    """Upsert one taxonomy and its terms; returns (added, updated) counts."""
    added = updated = 0
    tax = data["taxonomy"]
    values = {"name": tax["name"], "description": tax.get("description") or "",
              "uri": tax.get("uri"), "version": tax.get("version")}
    taxonomy = session.get(Taxonomy, tax["id"])
    if taxonomy is None:
        session.add(Taxonomy(id=tax["id"], **values))
        added += 1
    elif _upsert(taxonomy, values):
        updated += 1
    session.flush()
    existing = {t.id: t for t in session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.id.in_([t["id"] for t in data["terms"]])))}
    # Parents before children, so every parent_id names a row that exists.
    pending = list(data["terms"])
    known = set(existing) | {None}
    while pending:
        ready = [t for t in pending if t.get("parent_id") in known]
        if not ready:
            raise ValueError("Some terms name a parent_id that is not in the file.")
        for term in ready:
            values = {"code": term.get("code"), "name": term["name"],
                      "description": term.get("description") or "",
                      "parent_id": term.get("parent_id"), "taxonomy_id": tax["id"]}
            row = existing.get(term["id"])
            if row is None:
                session.add(TaxonomyTerm(id=term["id"], **values))
                added += 1
            elif _upsert(row, values):
                updated += 1
            known.add(term["id"])
        pending = [t for t in pending if t not in ready]
        session.flush()
    return added, updated


def load_reference_taxonomies(session: Session) -> None:
    for name in TAXONOMY_FILES:
        load_taxonomy(session, json.loads((DATA_DIR / name).read_text(encoding="utf-8")))
