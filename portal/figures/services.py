"""Reading figures is audited: who looked at which page, with which filters, in which format."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.audit.events import EventType
from portal.audit.services import record
from portal.figures.filters import Filters
from portal.unit_of_work import service


@service
def record_read(session: Session, /, *, page: str, fmt: str, filters: Filters, by: Any) -> None:
    record(session, EventType.FIGURES_VIEWED, actor_id=by.id, page=page, format=fmt,
           **filters.as_details())
