"""The experience pulse: answers stored without anyone's identity, and, apart, who has been
asked about what (so no one is asked twice).

``PulseAnswer`` holds only the locality, the quarter, the statement and the answer: no person,
no time, no conversation or request, and a random key (no sequence to line up with anything).
``PulseAsked`` says that a person has answered (or turned down) one statement about one
conversation or request, and holds no answer. Nothing joins the two.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


def _key() -> str:
    return uuid.uuid4().hex


class PulseAnswer(Base):
    __tablename__ = "pulse_answer"
    __table_args__ = (CheckConstraint("answer BETWEEN 1 AND 5", name="answer_on_scale"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_key)
    locality_id: Mapped[int | None] = mapped_column(
        ForeignKey("locality.id", ondelete="SET NULL"), default=None)
    quarter: Mapped[date] = mapped_column(index=True)  # the quarter's first day
    statement: Mapped[str] = mapped_column(String(20))
    answer: Mapped[int]


class PulseAsked(Base):
    __tablename__ = "pulse_asked"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(10), primary_key=True)  # thread | referral
    subject_id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[str] = mapped_column(String(20), primary_key=True)
