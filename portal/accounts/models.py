from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, Session, lazyload, mapped_column, relationship

from portal.authz.permissions import Permission, Role, permissions_for
from portal.crypto import EncryptedText
from portal.db import Base, TimestampMixin, utcnow
from portal.directory.models import Organisation
from portal.places.models import Locality

ROLE_ENUM = Enum(Role, name="role", native_enum=False, length=20,
                 values_callable=lambda roles: [r.value for r in roles])

organisation_membership = Table(
    "organisation_membership",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"),
           primary_key=True),
)

team_membership = Table(
    "team_membership",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("care_team.id", ondelete="CASCADE"), primary_key=True),
)

team_locality = Table(
    "team_locality",
    Base.metadata,
    Column("team_id", ForeignKey("care_team.id", ondelete="CASCADE"), primary_key=True),
    Column("locality_id", ForeignKey("locality.id", ondelete="CASCADE"), primary_key=True),
)


class CareTeam(TimestampMixin, Base):
    """A locality care team; care workers are its members."""

    __tablename__ = "care_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    localities: Mapped[list[Locality]] = relationship(secondary=team_locality)
    # How people reach the team (care circles, migration 0005_circles). Opening times are the
    # ones in portal/messaging/data/teams.json (which the reply promise counts in); ``hours``
    # is a free-text note shown under them ("Phone lines are busiest before 10am").
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    hours: Mapped[str | None] = mapped_column(Text, default=None)

    def __repr__(self) -> str:
        return f"<CareTeam {self.slug}>"


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(ROLE_ENUM, primary_key=True)


class User(TimestampMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10), default=None)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(default=None)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # When we last emailed the holder because someone else gave this address (registering or
    # changing theirs): at most one such email a day (accounts.services.ADDRESS_NOTICE_GAP).
    address_notice_at: Mapped[datetime | None] = mapped_column(default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Second factor (TOTP). The secret is encrypted at rest.
    mfa_secret: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last TOTP time step accepted: a code is never accepted twice.
    mfa_last_timestep: Mapped[int | None] = mapped_column(BigInteger, default=None)
    captions_on: Mapped[bool] = mapped_column(default=False)
    # The person's home locality, which routes their work to a care team. Kept in clear (one of
    # about a dozen areas) while the postcode it came from stays encrypted: see
    # docs/adr/0003-home-locality-in-clear.md.
    locality_id: Mapped[int | None] = mapped_column(
        ForeignKey("locality.id", ondelete="SET NULL"), default=None, index=True)
    locality_source: Mapped[str | None] = mapped_column(String(10), default=None)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=organisation_membership, lazy="selectin"
    )
    teams: Mapped[list[CareTeam]] = relationship(secondary=team_membership, lazy="selectin")
    locality: Mapped[Locality | None] = relationship(lazy="joined")

    # Flask-Login protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    @property
    def mfa_required(self) -> bool:
        """Every staff role must use a second factor."""
        return self.is_staff

    # Roles -----------------------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def has_permission(self, permission: Permission) -> bool:
        return permission in permissions_for(self.roles)

    @property
    def is_staff(self) -> bool:
        return any(role.is_staff for role in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RecoveryCode(Base):
    """A single-use recovery code for the second factor, stored as a SHA-256 hash.

    Codes are 50 random bits: a fast hash is enough, unlike for passwords.
    """

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class UserSession(Base):
    """A server-side record of one signed-in session, so that sign-out really ends it.

    The browser's signed cookie holds only the session id; the row says whether the session
    is still alive (not revoked, not idle too long, not older than the absolute limit).
    """

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


def get_user(session: Session, user_id: int) -> User | None:
    """One account by id, without loading its organisations and teams up front (two queries
    fewer on every request; they load on first use, which most pages never make)."""
    return session.get(User, user_id, options=[lazyload(User.organisations),
                                               lazyload(User.teams)])
