"""Bookings, the desks they hold, and the days the office is closed."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base


class Closure(Base):
    """Whole days the front desk is closed (in addition to public holidays)."""

    __tablename__ = "office_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_day: Mapped[date] = mapped_column(Date, index=True)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))  # for staff; never shown to the public
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Booking(Base):
    """A time at the front desk. Cancelled bookings stay, without a desk."""

    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    topic: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    people: Mapped[int] = mapped_column(default=1)
    language: Mapped[str] = mapped_column(String(10))  # the portal locale the person used
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    interpreter_language: Mapped[str | None] = mapped_column(String(100))
    interpreter_dialect: Mapped[str | None] = mapped_column(String(100))
    interpreter_mode: Mapped[str | None] = mapped_column(String(20))  # on_site or phone
    note: Mapped[str | None] = mapped_column(Text)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The booking form's one-time key (hashed): the same form sent again (a double tap, a reload)
    # finds this booking instead of making a second one. A phone number and a time never do.
    form_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active or cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set at the front desk on the day: checked_in or no_show.
    attendance: Mapped[str | None] = mapped_column(String(20))
    attendance_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reservation: Mapped["DeskReservation | None"] = relationship(
        back_populates="booking", cascade="all, delete-orphan", uselist=False
    )


class DeskReservation(Base):
    """One desk at one start time. The primary key is what makes overbooking impossible: a slot
    has as many rows as desks at most, whatever the application does."""

    __tablename__ = "desk_reservation"

    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    desk: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), unique=True
    )
    booking: Mapped[Booking] = relationship(back_populates="reservation")


class SlotLock(Base):
    """A row per start time that a booking transaction locks (SELECT … FOR UPDATE on PostgreSQL),
    so two bookings for one time are decided one after the other."""

    __tablename__ = "slot_lock"

    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
