"""Load an object for a view, or 404: one helper for every area.

A person who may not see an object is told it does not exist (404, not 403), so ids cannot
be probed. The policy is a function of the object (with the current user bound by the
caller), checked here so no view forgets it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort

from portal.extensions import db

T = TypeVar("T")


def get_or_404(model: type[T], ident: Any, *, allowed: Callable[[T], bool] | None = None) -> T:
    """``model`` row ``ident``, if it exists and ``allowed(row)`` (when given); else 404."""
    found = db.session.get(model, ident) if ident is not None else None
    return found_or_404(found, allowed=allowed)


def found_or_404(found: T | None, *, allowed: Callable[[T], bool] | None = None) -> T:
    """The same check for an object found some other way (by slug, by a query)."""
    if found is None or (allowed is not None and not allowed(found)):
        abort(404)
    return found
