"""Districts and schools: where coordinators work and where families are served from."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, String, Text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.models.base import Base, Timestamps, UUIDPrimaryKey


class District(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "district"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # True only where a public source confirms a CCSPP grant; None when unverified.
    ccspp: Mapped[bool | None] = mapped_column(Boolean)
    # County (short name, "Monterey") for a region holding several counties' schools.
    county: Mapped[str | None] = mapped_column(String(60), index=True)

    schools: Mapped[list[School]] = relationship(back_populates="district", order_by="School.name")


class School(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "school"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[str | None] = mapped_column(ForeignKey("district.id"), index=True)
    address_1: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    coordinates_source: Mapped[str | None] = mapped_column(String(20))
    ccspp: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(String(60), index=True)
    grades: Mapped[str | None] = mapped_column(String(20))  # CDE GSserved, e.g. "K-5"
    # A school the state lists as closed stays (records point at it) but is not offered.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    district: Mapped[District | None] = relationship(back_populates="schools")
