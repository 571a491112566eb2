"""A resident's personal details. Every field is encrypted at rest."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.crypto import EncryptedDate, EncryptedText
from portal.db import Base, TimestampMixin

# Field names, in the order a person reads them (also the export's and the audit's names).
DETAIL_FIELDS = ("nhs_number", "date_of_birth", "phone", "address_line_1", "address_line_2",
                 "town", "postcode")


class PersonalDetails(TimestampMixin, Base):
    __tablename__ = "personal_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    # Ten digits, no spaces; shown as "943 476 5919".
    nhs_number: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate(), default=None)
    phone: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    address_line_1: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    address_line_2: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    town: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    postcode: Mapped[str | None] = mapped_column(EncryptedText(), default=None)

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in DETAIL_FIELDS)

    def values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in DETAIL_FIELDS}

    def __repr__(self) -> str:
        return f"<PersonalDetails {self.id}>"
