from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Enum, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedJSON, EncryptedText
from portal.db import Base, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import User


class ReferralStatus(StrEnum):
    RECEIVED = "received"
    BEING_LOOKED_AT = "being_looked_at"
    CONTACT_MADE = "contact_made"
    ASSESSMENT_BOOKED = "assessment_booked"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ReferralStatus.RECEIVED: _l("Received"),
    ReferralStatus.BEING_LOOKED_AT: _l("Being looked at"),
    ReferralStatus.CONTACT_MADE: _l("Contact made"),
    ReferralStatus.ASSESSMENT_BOOKED: _l("Assessment booked"),
    ReferralStatus.COMPLETED: _l("Completed"),
}


class ContactMethod(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    TEXT = "text"
    LETTER = "letter"
    VISIT = "visit"

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    ContactMethod.PHONE: _l("Phone call"),
    ContactMethod.EMAIL: _l("Email"),
    ContactMethod.TEXT: _l("Text message"),
    ContactMethod.LETTER: _l("Letter"),
    ContactMethod.VISIT: _l("Visit"),
}


class ContactOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    WRONG_DETAILS = "wrong_details"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    ContactOutcome.REACHED: _l("Spoke with the carer"),
    ContactOutcome.NO_ANSWER: _l("No answer"),
    ContactOutcome.LEFT_MESSAGE: _l("Left a message"),
    ContactOutcome.WRONG_DETAILS: _l("Contact details wrong"),
}


def _enum(kind: type[StrEnum], length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length,
                values_callable=lambda items: [i.value for i in items])


def _status_enum() -> Enum:
    return Enum(ReferralStatus, native_enum=False, length=30,
                values_callable=lambda items: [i.value for i in items])


class CarerReferral(Base):
    """A carer's request for an assessment. The reference is for talking about it on the
    phone; it never grants access (the carer sees it signed in, staff through their team)."""

    __tablename__ = "carer_referral"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_carer_referral_year_sequence"),
        Index("ix_carer_referral_team_id_status", "team_id", "status"),
        # The queue's export reads a period's referrals (migration 0017_figures_stored; the
        # figures read ``figures_referral_count`` instead).
        Index("ix_carer_referral_created_at", "created_at"),
        # An assignee always comes with when (a deleted account leaves the time behind).
        CheckConstraint("assigned_to_id IS NULL OR assigned_at IS NOT NULL",
                        name="assigned_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    # One referral per draft: a second submission of the same draft finds this one.
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("journey_draft.id", ondelete="SET NULL"), unique=True, default=None)
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    urgent: Mapped[bool] = mapped_column(default=False)
    postcode_district: Mapped[str | None] = mapped_column(String(4), default=None)
    locality_id: Mapped[int | None] = mapped_column(
        ForeignKey("locality.id", ondelete="SET NULL"), default=None)
    # NULL: the triage queue (unknown or out-of-area postcode, or no team for the locality).
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_team.id", ondelete="SET NULL"), default=None, index=True)
    triage_note: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[ReferralStatus] = mapped_column(_status_enum(),
                                                  default=ReferralStatus.RECEIVED)
    carer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None, index=True)
    # Who in the team is looking after it (set together with when).
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None, index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    # The first contact attempt that reached the carer (the contact target is met).
    first_contact_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set once, by ``portal.carers.progress`` when staff first set the status to "contact
    # made" or later: when, the calendar days and the working days it took (the figures).
    contact_made_at: Mapped[datetime | None] = mapped_column(default=None)
    contact_days: Mapped[float | None] = mapped_column(Float, default=None)
    contact_working_days: Mapped[int | None] = mapped_column(default=None)
    # When an assessment was first booked (or the request completed, if it never was).
    reached_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updates: Mapped[list[ReferralUpdate]] = relationship(
        back_populates="referral", order_by="ReferralUpdate.id")
    contacts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="referral", order_by="ContactAttempt.id")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])


class ReferralUpdate(Base):
    """A status change by staff, with an internal note the carer never sees."""

    __tablename__ = "carer_referral_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("carer_referral.id", ondelete="CASCADE"), index=True)
    status: Mapped[ReferralStatus] = mapped_column(_status_enum())
    note: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[CarerReferral] = relationship(back_populates="updates")


class ContactAttempt(Base):
    """A try at reaching the carer (a call, an email, a visit) and how it went; the note is
    internal, like a status note."""

    __tablename__ = "carer_referral_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("carer_referral.id", ondelete="CASCADE"), index=True)
    method: Mapped[ContactMethod] = mapped_column(_enum(ContactMethod, 20))
    outcome: Mapped[ContactOutcome] = mapped_column(_enum(ContactOutcome, 20))
    note: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[CarerReferral] = relationship(back_populates="contacts")
