"""People's decisions about outbox jobs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.audit.events import EventType, ObjectType
from portal.audit.services import record
from portal.outbox import core
from portal.outbox.models import OutboxJob
from portal.unit_of_work import service


@service
def retry(session: Session, /, *, job: OutboxJob, by: Any) -> bool:
    """An administrator gives a parked job another round of attempts."""
    if not core.retry_parked(session, job.id):
        return False
    record(session, EventType.OUTBOX_JOB_RETRIED, actor_id=by.id,
           target_type=ObjectType.OUTBOX_JOB, target_id=job.id, kind=job.kind)
    return True
