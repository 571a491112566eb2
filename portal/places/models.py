from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class Locality(Base):
    """A care locality, defined by the deployment as data (never in code)."""

    __tablename__ = "locality"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<Locality {self.slug}>"


class Postcode(Base):
    """A UK postcode and its centre, from the ONS Postcode Directory (``pcds``, ``lat``, ``long``)."""

    __tablename__ = "postcode"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)  # normalised "TQ1 1AA"
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
