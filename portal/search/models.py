from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class SearchOutbox(Base):
    """Index work queued in the same transaction as the change; applied after commit."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "service"
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchGap(Base):
    """A search that found nothing: words, filters and time; nothing about the person.

    ``query`` is the cleaned text (at most 200 characters). ``filters`` holds only the filters
    used: ``localities``, ``categories`` (top-level need codes), ``days`` (MO..SU),
    ``attendance``, ``open_now``, ``evenings``, ``weekends``, ``free`` (true when ticked),
    ``age``; and for a postcode search ``postcode_district`` ("TQ1", never the full postcode)
    and ``near_locality`` (the slug of the locality it is in).
    """

    __tablename__ = "search_gap"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
