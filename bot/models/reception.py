"""Reception days (接待选民日): rules per site, holiday data staff enter for
years chinese-calendar does not know, concrete receptions with their duty
roster and one-off changes, and voters' bookings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .roster import Deputy, Site, Voter

# What happens when the day falls on a statutory holiday; weekends are kept.
HOLIDAY_POLICIES = ("next_workday", "previous_workday", "keep")


class ReceptionRule(Base):
    """A site's monthly rhythm: the station on the 20th, points on the 10th."""

    __tablename__ = "reception_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), unique=True)
    day_of_month: Mapped[int]
    starts: Mapped[str] = mapped_column(String(5), default="09:00")
    ends: Mapped[str] = mapped_column(String(5), default="12:00")
    # Empty: the site's address.
    place: Mapped[str] = mapped_column(default="")
    holiday_policy: Mapped[str] = mapped_column(String(24), default="next_workday")
    # Deputies on duty per reception (raised by the rotation when a site has
    # more deputies than 12 receptions times this can cover).
    duty_count: Mapped[int] = mapped_column(default=2)
    capacity: Mapped[int] = mapped_column(default=20)
    active: Mapped[bool] = mapped_column(default=True)

    site: Mapped[Site] = relationship()


class HolidayDay(Base):
    """An official holiday (holiday) or make-up working day (workday) entered
    by staff; overrides chinese-calendar, and makes a year known."""

    __tablename__ = "holiday_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(default="")


class Reception(Base):
    """One reception of a site, keyed by its nominal date (the rule's day in
    that month). Created when something must be remembered about it: duties,
    a staff change, reminders, bookings."""

    __tablename__ = "receptions"
    __table_args__ = (UniqueConstraint("site_id", "nominal"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    nominal: Mapped[date] = mapped_column(Date)
    # Staff's one-off change; None: the date the rule and holidays give.
    moved_to: Mapped[date | None] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship()
    duties: Mapped[list[ReceptionDuty]] = relationship(order_by="ReceptionDuty.id",
                                                       cascade="all, delete-orphan")


class ReceptionDuty(Base):
    """A deputy on duty at one reception, and whether they came (接待选民,
    counted by the duty record): None until staff mark it, with who did."""

    __tablename__ = "reception_duties"
    __table_args__ = (UniqueConstraint("reception_id", "deputy_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reception_id: Mapped[int] = mapped_column(ForeignKey("receptions.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), index=True)
    attended: Mapped[bool | None]
    marked_by: Mapped[str | None] = mapped_column(String(64))
    marked_at: Mapped[datetime | None]

    deputy: Mapped[Deputy] = relationship()


class ReceptionBooking(Base):
    """A voter's numbered place at a reception ("预约"); cancelled, not deleted."""

    __tablename__ = "reception_bookings"
    __table_args__ = (UniqueConstraint("reception_id", "voter_id"),
                      UniqueConstraint("reception_id", "number", name="uq_reception_bookings_number"))
    id: Mapped[int] = mapped_column(primary_key=True)
    reception_id: Mapped[int] = mapped_column(ForeignKey("receptions.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked, cancelled
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    voter: Mapped[Voter] = relationship()
