"""The rows that say who may see or do what to a person's records.

Nothing here is ever deleted while the person's account lives: a withdrawn consent or an
ended grant keeps its row (with who ended it and when), so the history can be shown.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


def _enum(kind: type[StrEnum], length: int = 20) -> Enum:
    return Enum(kind, native_enum=False, length=length,
                values_callable=lambda items: [i.value for i in items])


class Scope(StrEnum):
    """What a person lets a carer do for them. Chosen one by one."""

    PLAN_VIEW = "plan:view"
    PLAN_EDIT = "plan:edit"
    MESSAGES = "messages:send"
    REFERRALS = "referrals:make"
    DETAILS_VIEW = "details:view"


class Purpose(StrEnum):
    """What a person shares with the care team that serves them. Consented one by one."""

    PLAN = "plan"
    MESSAGING = "messaging"
    PERSONAL_DETAILS = "personal_details"


class LocalitySource(StrEnum):
    POSTCODE = "postcode"  # derived from the person's postcode
    CHOSEN = "chosen"      # picked by hand (postcode unknown or not given)


class TeamConsent(Base):
    """A person's consent to share one thing with the care team(s) serving their locality.

    ``wording`` is the exact text they agreed to. Withdrawn in one click; never deleted.
    """

    __tablename__ = "team_consent"
    __table_args__ = (
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)",
                        name="withdrawn_pair"),
        Index("ix_team_consent_person_id_purpose", "person_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose))
    wording: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who recorded it: the person, or a carer/worker recording it on their behalf.
    given_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class CarerGrant(Base):
    """A person lets a carer act for them, with scopes, from a start until an end or revocation.

    ``arranged_reason`` is set when a care worker recorded access on the person's behalf (for
    example a best-interests decision under the Mental Capacity Act).
    """

    __tablename__ = "carer_grant"
    __table_args__ = (
        CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)", name="revoked_pair"),
        CheckConstraint("person_id <> carer_id", name="not_self"),
        Index("ix_carer_grant_carer_id", "carer_id"),
        Index("ix_carer_grant_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    carer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    relationship: Mapped[str] = mapped_column(String(80))  # "daughter", in the person's words
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_on: Mapped[date | None] = mapped_column(default=None)  # last day of access
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    arranged_reason: Mapped[str | None] = mapped_column(Text, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    # Optimistic locking: a scope change and a revocation at once never lose either.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(value) for value in self.scopes if value in Scope._value2member_map_)


class InvitationKind(StrEnum):
    INVITE = "invite"    # the person invites a carer (by email)
    REQUEST = "request"  # a carer asks the person for access


class CarerInvitation(Base):
    """An invitation (or a carer's request) that becomes a ``CarerGrant`` when accepted.

    The emailed link carries a random token; only its SHA-256 is stored. Single use, 7 days.
    """

    __tablename__ = "carer_invitation"
    __table_args__ = (Index("ix_carer_invitation_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvitationKind] = mapped_column(_enum(InvitationKind))
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))  # who is invited (kind=invite)
    carer_id: Mapped[int | None] = mapped_column(  # who asked (kind=request) or accepted
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None)
    relationship: Mapped[str] = mapped_column(String(80))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    ends_on: Mapped[date | None] = mapped_column(default=None)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    declined_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    grant_id: Mapped[int | None] = mapped_column(
        ForeignKey("carer_grant.id", ondelete="SET NULL"), default=None)
