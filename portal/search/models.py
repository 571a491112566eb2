from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class SearchChange(Base):
    """The change log: one row per listing whose indexed content a transaction changed,
    written in that transaction. Append-only: every server's index reads it from its own
    position (``outbox``); nothing deletes a row but ``flask search prune-log``."""

    __tablename__ = "search_change"

    id: Mapped[int] = mapped_column(primary_key=True)  # the sequence number followers read by
    service_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


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


class SearchGapCount(Base):
    """Searches that found nothing, counted by month, locality and words (``portal.search.
    gaps``): kept in step in the same transaction as each ``search_gap`` row, so the figures
    read a few hundred rows rather than every search (docs/adr/0009)."""

    __tablename__ = "search_gap_count"

    month: Mapped[date] = mapped_column(primary_key=True)  # the first of the month (UTC)
    # The locality's slug ("" for none given) and the words after ``normalise_words``.
    locality: Mapped[str] = mapped_column(String(80), primary_key=True)
    words: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_search_gap_count_words_month", "words", "month"),)


class SearchGapLocalityCount(Base):
    """Searches that found nothing by month and locality ("" for none given)."""

    __tablename__ = "search_gap_locality_count"

    month: Mapped[date] = mapped_column(primary_key=True)
    locality: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class SearchGapWords(Base):
    """How often the same words (normalised) found nothing, ever: the figures list words only
    when searched 5 times or more in a period, so they look only among these."""

    __tablename__ = "search_gap_words"

    words: Mapped[str] = mapped_column(String(400), primary_key=True)
    total: Mapped[int] = mapped_column(default=0, index=True)
