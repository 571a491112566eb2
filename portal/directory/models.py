"""The community directory, aligned with Open Referral UK 3.0.

Rows that editors change carry a version column (``version_id_col``): a stale save raises
``StaleDataError`` and becomes the conflict page, never a silent overwrite. Ids of ORUK
objects are strings (UUIDs) so imported ids are kept as they are.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin, utcnow
from portal.places.models import Locality


def new_uuid() -> str:
    return str(uuid.uuid4())


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=30,
                values_callable=lambda members: [m.value for m in members])


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


class LocationType(StrEnum):
    PHYSICAL = "physical"
    POSTAL = "postal"
    VIRTUAL = "virtual"


class Attendance(StrEnum):
    IN_PERSON = "in-person"
    ONLINE = "online"
    TELEPHONE = "telephone"
    HOME_VISIT = "home-visit"


class Organisation(TimestampMixin, Base):
    """A voluntary or community organisation (ORUK ``organization``)."""

    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    website: Mapped[str | None] = mapped_column(String(500), default=None)
    charity_number: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    company_number: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    version: Mapped[int] = mapped_column(default=1)

    services: Mapped[list[Service]] = relationship(back_populates="organisation")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Taxonomy(Base):
    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(500), default=None)
    version: Mapped[str | None] = mapped_column(String(40), default=None)

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy")


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_term"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    code: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="SET NULL"), default=None)
    taxonomy_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy.id", ondelete="CASCADE"), default=None)

    taxonomy: Mapped[Taxonomy | None] = relationship(back_populates="terms")
    parent: Mapped[TaxonomyTerm | None] = relationship(remote_side="TaxonomyTerm.id")


service_term = Table(
    "service_term",
    Base.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("taxonomy_term.id", ondelete="CASCADE"), primary_key=True),
)

service_locality = Table(
    "service_locality",
    Base.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("locality_id", ForeignKey("locality.id", ondelete="CASCADE"), primary_key=True),
)


class Service(TimestampMixin, Base):
    """A service as published (ORUK ``service``). Editors' changes arrive as revisions."""

    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    status: Mapped[ServiceStatus] = mapped_column(
        _enum(ServiceStatus, "service_status"), default=ServiceStatus.ACTIVE)
    # Attendance: how a person uses it. Several may be true.
    in_person: Mapped[bool] = mapped_column(default=True)
    online: Mapped[bool] = mapped_column(default=False)
    telephone: Mapped[bool] = mapped_column(default=False)
    home_visit: Mapped[bool] = mapped_column(default=False)
    # Eligibility.
    minimum_age: Mapped[int | None] = mapped_column(default=None)
    maximum_age: Mapped[int | None] = mapped_column(default=None)
    eligibility_description: Mapped[str | None] = mapped_column(Text, default=None)
    # Cost: free when no cost option has an amount above zero.
    is_free: Mapped[bool] = mapped_column(default=True)
    fees_description: Mapped[str | None] = mapped_column(Text, default=None)
    # Languages the service is offered in: [{"name": ..., "code": ...}].
    languages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # When someone last confirmed the listing is true (ORUK ``assured_date``).
    last_checked_on: Mapped[date | None] = mapped_column(default=None)
    last_modified: Mapped[datetime] = mapped_column(default=utcnow)
    published: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    terms: Mapped[list[TaxonomyTerm]] = relationship(secondary=service_term)
    localities: Mapped[list[Locality]] = relationship(secondary=service_locality)
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan")
    phones: Mapped[list[Phone]] = relationship(cascade="all, delete-orphan",
                                               order_by="Phone.position")
    contacts: Mapped[list[Contact]] = relationship(cascade="all, delete-orphan",
                                                   order_by="Contact.position")
    schedules: Mapped[list[Schedule]] = relationship(cascade="all, delete-orphan",
                                                     order_by="Schedule.position")
    cost_options: Mapped[list[CostOption]] = relationship(cascade="all, delete-orphan",
                                                          order_by="CostOption.position")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("minimum_age IS NULL OR minimum_age >= 0", name="minimum_age_positive"),
        CheckConstraint("maximum_age IS NULL OR minimum_age IS NULL OR maximum_age >= minimum_age",
                        name="age_range_ordered"),
    )

    @property
    def locations(self) -> list[Location]:
        return [sal.location for sal in self.service_at_locations]

    @property
    def attendance(self) -> list[Attendance]:
        flags = [(self.in_person, Attendance.IN_PERSON), (self.online, Attendance.ONLINE),
                 (self.telephone, Attendance.TELEPHONE), (self.home_visit, Attendance.HOME_VISIT)]
        return [mode for on, mode in flags if on]

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"


class Location(TimestampMixin, Base):
    """A venue or virtual place. A confidential venue never publishes its address."""

    __tablename__ = "location"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    name: Mapped[str | None] = mapped_column(String(300), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    location_type: Mapped[LocationType] = mapped_column(
        _enum(LocationType, "location_type"), default=LocationType.PHYSICAL)
    address_1: Mapped[str | None] = mapped_column(String(300), default=None)
    city: Mapped[str | None] = mapped_column(String(120), default=None)
    postcode: Mapped[str | None] = mapped_column(String(10), default=None, index=True)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    confidential: Mapped[bool] = mapped_column(default=False)
    # Accessibility of the venue: [{"description": ..., "details": ...}].
    accessibility: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"),
                                             index=True)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(lazy="joined")


class Phone(Base):
    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[str] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(String(300), default=None)
    position: Mapped[int] = mapped_column(default=0)


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    title: Mapped[str | None] = mapped_column(String(200), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone: Mapped[str | None] = mapped_column(String(60), default=None)
    position: Mapped[int] = mapped_column(default=0)


class Schedule(Base):
    """When a service runs, iCal-like (ORUK): ``freq`` WEEKLY or MONTHLY, ``byday`` "MO,SA" or
    with weeks of the month "2SA,-1SA", ``bymonthday``, ``interval`` from ``dtstart``, ``until``;
    no ``freq`` and a ``dtstart``: one date; ``closed``: a closure. The rules that read these
    are in ``portal.directory.recurrence``."""

    __tablename__ = "schedule"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    freq: Mapped[str | None] = mapped_column(String(10), default="WEEKLY")
    byday: Mapped[str | None] = mapped_column(String(40), default=None)
    # Before migration 0003: a MONTHLY schedule's one week of the month. Now folded into
    # ``byday`` ("2SA"); read only as a fallback by ``recurrence.rule_of``.
    week_of_month: Mapped[int | None] = mapped_column(Integer, default=None)
    interval: Mapped[int | None] = mapped_column(Integer, default=None)
    bymonthday: Mapped[str | None] = mapped_column(String(40), default=None)
    dtstart: Mapped[date | None] = mapped_column(default=None)
    until: Mapped[date | None] = mapped_column(default=None)
    closed: Mapped[bool] = mapped_column(default=False, server_default=false())
    opens_at: Mapped[time | None] = mapped_column(default=None)
    closes_at: Mapped[time | None] = mapped_column(default=None)
    by_appointment: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    valid_from: Mapped[date | None] = mapped_column(default=None)
    valid_to: Mapped[date | None] = mapped_column(default=None)
    position: Mapped[int] = mapped_column(default=0)

    @property
    def days(self) -> list[str]:
        return [d.strip() for d in (self.byday or "").split(",") if d.strip()]


class CostOption(Base):
    __tablename__ = "cost_option"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    option: Mapped[str | None] = mapped_column(String(300), default=None)
    amount: Mapped[float | None] = mapped_column(Float, default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default="GBP")
    amount_description: Mapped[str | None] = mapped_column(String(300), default=None)
    position: Mapped[int] = mapped_column(default=0)


Index("ix_service_published_status", Service.published, Service.status)
