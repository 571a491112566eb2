from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.authz.permissions import Permission, Role, permissions_for
from portal.db import Base, TimestampMixin
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
    # Bumped to end every session of this person at once (sign out everywhere).
    session_generation: Mapped[int] = mapped_column(default=1)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(default=None)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=organisation_membership, lazy="selectin"
    )
    teams: Mapped[list[CareTeam]] = relationship(secondary=team_membership, lazy="selectin")

    # Flask-Login protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

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
