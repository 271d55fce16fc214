"""Whole days the front desk is closed (public holidays are closed already): the one place their
rules live, for the staff pages and the command line alike. Adding, viewing the bookings hit,
cancelling them and removing are each one transaction with their audit entry (from the command
line the entry has no person, and says so)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal import audit, i18n
from portal.appointments import messages
from portal.appointments.models import Booking, Closure, DeskReservation
from portal.i18n import PortalLocale
from portal.notify import sources, texts
from portal.notify.models import OutboxMessage
from portal.profile import clock, get_profile

COMMAND_LINE = {"by": "command line"}


@dataclass
class ClosureHit:
    """A booking on a closed day: who to contact, and in which language."""

    booking: Booking
    phone: str  # readable
    language: str  # the language the person chose when booking
    notice: "Notice | None" = None  # what they are told if the booking is cancelled


@dataclass
class Notice:
    """The message a person gets when the office cancels their booking for a closure, exactly
    as the outbox worker will write it, in the language it will be written in."""

    locale: PortalLocale  # the booking's language (Norwegian for "another language")
    sms: str
    email_subject: str | None  # None: the booking has no e-mail address
    email_body: str | None

    @property
    def count(self) -> int:
        return 1 + (self.email_subject is not None)


@dataclass
class Cancelled:
    """What a bulk cancellation did."""

    bookings: list[Booking]
    messages: int  # queued in the outbox
    left: int  # active bookings on the days that were not on the confirmed list


def spans(session: Session, first: date, last: date) -> list[tuple[date, date]]:
    """(first day, last day) of the closures that touch these days (for the slot engine)."""
    return [(closure.first_day, closure.last_day) for closure in covering(session, first, last)]


def covering(session: Session, first: date, last: date) -> list[Closure]:
    return list(
        session.scalars(
            select(Closure)
            .where(Closure.last_day >= first, Closure.first_day <= last)
            .order_by(Closure.first_day)
        )
    )


def upcoming(session: Session) -> list[Closure]:
    """Closures that have not ended yet, by the office's calendar (not UTC's)."""
    query = select(Closure).where(Closure.last_day >= clock.today()).order_by(Closure.first_day)
    return list(session.scalars(query))


def find(session: Session, closure_id: int) -> Closure | None:
    return session.get(Closure, closure_id)


def bookings_on_days(session: Session, first: date, last: date) -> list[Booking]:
    """Active bookings on whole local days, first to last."""
    zone = ZoneInfo(get_profile().timezone)
    start = datetime.combine(first, time(0), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
    query = (
        select(Booking)
        .where(Booking.status == "active", Booking.starts_at >= start, Booking.starts_at < end)
        .order_by(Booking.starts_at)
    )
    return list(session.scalars(query))


def _record(session: Session, action: str, actor, closure: Closure, details: dict) -> None:
    extra = {} if actor is not None else COMMAND_LINE
    audit.record(session, action, actor=actor, target_type="closure", target_id=closure.id,
                 details={**details, **extra})  # fmt: skip


def add(
    session: Session, first: date, last: date, reason: str, actor=None
) -> tuple[Closure, list[Booking]]:
    """Close the office on whole days; returns the active bookings it hits."""
    if last < first:
        raise ValueError("the last day is before the first")
    closure = Closure(first_day=first, last_day=last, reason=reason)
    session.add(closure)
    session.flush()
    hit = bookings_on_days(session, first, last)
    _record(session, "closure_added", actor, closure,
            {"first": first.isoformat(), "last": last.isoformat(), "reason": reason,
             "bookings_hit": len(hit)})  # fmt: skip
    session.commit()
    return closure, hit


def bookings_hit(
    session: Session, closure: Closure, actor, readable, *, with_notices: bool = False
) -> list[ClosureHit]:
    """The active bookings on a closure's days (names and phones: the view is audited);
    `readable` gives (phone, language) as the page shows them; `with_notices` adds the message
    each person would get if the bookings were cancelled."""
    bookings = bookings_on_days(session, closure.first_day, closure.last_day)
    _record(session, "closure_viewed", actor, closure,
            {"day": closure.first_day.isoformat(), "last_day": closure.last_day.isoformat()})  # fmt: skip
    session.commit()
    return [
        ClosureHit(booking, *readable(booking), notice(session, booking) if with_notices else None)
        for booking in bookings
    ]


def notice(session: Session, booking: Booking) -> Notice:
    """The cancellation message of one booking, rendered as the worker renders it (nothing is
    added to the session)."""
    locale = i18n.get_locale_by_code(booking.language) or i18n.get_locale_by_code("nb")
    draft = OutboxMessage(kind="booking_closed", booking_id=booking.id, locale=booking.language)
    values = sources.values(session, draft, locale)
    profile = get_profile()
    sms, subject, body = texts.render(
        "booking_closed", locale.gettext, values, service=profile.service_name, phone=profile.phone
    )
    if booking.email:
        return Notice(locale, sms, subject, body)
    return Notice(locale, sms, None, None)


def cancel_bookings(session: Session, closure: Closure, actor, confirmed: set[int]) -> Cancelled:
    """Cancel the active bookings on a closure's days that staff confirmed (the ids the
    confirmation page listed) and tell each person by SMS (and e-mail where given), in their
    language, in this one transaction. A booking cancelled or moved meanwhile is left alone."""
    now = clock.now()
    on_days = bookings_on_days(session, closure.first_day, closure.last_day)
    bookings = [booking for booking in on_days if booking.id in confirmed]
    queued = 0
    for booking in bookings:
        booking.status, booking.cancelled_at = "cancelled", now
        session.execute(delete(DeskReservation).where(DeskReservation.booking_id == booking.id))
        messages.cancelled(session, booking, closed=True)
        queued += len(messages.contacts(booking))
    _record(session, "closure_bookings_cancelled", actor, closure,
            {"bookings": [b.reference for b in bookings], "messages": queued})  # fmt: skip
    session.commit()
    return Cancelled(bookings, queued, len(on_days) - len(bookings))


def remove(session: Session, closure: Closure, actor=None) -> None:
    _record(session, "closure_removed", actor, closure,
            {"first": closure.first_day.isoformat(), "last": closure.last_day.isoformat(),
             "reason": closure.reason})  # fmt: skip
    session.delete(closure)
    session.commit()
