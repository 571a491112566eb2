"""Counts the figures read, kept in step with the records they count (docs/adr/0009).

Each row is a count of referrals or threads that share every figure the pages show about them,
so a page sums a few thousand rows instead of reading a year of records. Times to first
contact and first reply are kept as tenths (of days, of working hours): the pages show them to
one decimal place, and a median of values rounded that way is the rounded median. No row
names anyone; the records' own columns (``carer_referral.contact_days`` and so on) stay exact.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base

NOT_YET = -1  # no first contact, or no first reply, yet


class ReferralCount(Base):
    """Carer referrals by the month they were sent, their locality (0: the triage queue) and
    what the figures count about them."""

    __tablename__ = "figures_referral_count"

    month: Mapped[date] = mapped_column(primary_key=True)
    locality_id: Mapped[int] = mapped_column(primary_key=True)
    urgent: Mapped[bool] = mapped_column(primary_key=True)
    contact_tenths: Mapped[int] = mapped_column(primary_key=True)  # days to first contact x 10
    within_target: Mapped[bool] = mapped_column(primary_key=True)
    reached: Mapped[bool] = mapped_column(primary_key=True)
    completed: Mapped[bool] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class ThreadDay(Base):
    """Message threads started per day and team, and how many of them are flagged urgent."""

    __tablename__ = "figures_thread_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True)
    threads: Mapped[int] = mapped_column(default=0)
    urgent: Mapped[int] = mapped_column(default=0)


class ReplyCount(Base):
    """Threads the team has first replied to, by the month the thread started, the team, the
    working hours to that reply (tenths) and whether it came after the promise."""

    __tablename__ = "figures_reply_count"

    month: Mapped[date] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True)
    reply_tenths: Mapped[int] = mapped_column(primary_key=True)
    late: Mapped[bool] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
