"""The front desk: the day list, attendance, a new link for someone who phones, and how the
closure pages show a booking. Every view of the bookings' personal data and every change is
written to the audit log in the same transaction (closures: appointments/closures.py)."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from portal import audit, i18n
from portal.appointments import closures
from portal.appointments import services as booking_services
from portal.appointments.models import Booking, Closure, DeskReservation
from portal.forms.validation import format_phone
from portal.i18n import languages
from portal.notify.models import OutboxMessage
from portal.profile import clock, get_profile

ATTENDANCE_ACTIONS = {
    "checked_in": "booking_checked_in",
    "no_show": "booking_no_show",
    "clear": "booking_attendance_cleared",
}


class AttendanceRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # cancelled or not_yet


@dataclass
class InterpreterNeed:
    language: str  # readable, in the staff page's language
    on_site: int = 0
    phone: int = 0

    @property
    def total(self) -> int:
        return self.on_site + self.phone


@dataclass
class DeskRow:
    booking: Booking
    desk: int
    phone: str  # readable
    interpreter_language: str | None  # readable
    messages: list = field(default_factory=list)  # what was sent to the person, and how it went


@dataclass
class DayList:
    day: date
    rows: list[DeskRow]
    interpreters: list[InterpreterNeed]
    closures: list[Closure]  # closures that cover the day
    day_has_come: bool  # attendance can be marked

    @property
    def people(self) -> int:
        return sum(row.booking.people for row in self.rows)

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)


# --- languages ---------------------------------------------------------------------------------


def language_name(code: str) -> str:
    """A language's name in the staff page's language, capitalised (Norwegian writes "arabisk")."""
    return languages.name_in(code, i18n.current_locale().babel) or code


def interpreter_language(stored: str) -> tuple[str, str]:
    """(key, readable name) of the interpreter's language a booking stores: a language tag, or
    a name typed before there was a list, gets its name in the staff language; anything else
    ("another language") stays as typed, and is summed with the same text in other case."""
    tag = languages.recognised(stored)
    return (tag, language_name(tag)) if tag else (" ".join(stored.split()).casefold(), stored)


def spoken_language(portal_code: str) -> str:
    """The language a person chose when booking (a portal language, or "other")."""
    locale = i18n.get_locale_by_code(portal_code)
    return language_name(locale.gettext) if locale else _("Another language")


# --- the day list ------------------------------------------------------------------------------


def _utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From the office's midnight before `first` to the one after `last`, in UTC."""
    start = clock.local_midnight(first).astimezone(UTC)
    return start, clock.local_midnight(last + timedelta(days=1)).astimezone(UTC)


def local_day(booking: Booking) -> date:
    return clock.utc(booking.starts_at).astimezone(ZoneInfo(get_profile().timezone)).date()


def _day_bookings(session: Session, day: date) -> list[Booking]:
    start, end = _utc_bounds(day, day)
    return list(
        session.scalars(
            select(Booking)
            .join(Booking.reservation)
            .options(contains_eager(Booking.reservation))
            .where(Booking.status == "active", Booking.starts_at >= start, Booking.starts_at < end)
            .order_by(Booking.starts_at, DeskReservation.desk)
        )
    )


def _interpreter_needs(bookings: list[Booking]) -> list[InterpreterNeed]:
    needs: dict[str, InterpreterNeed] = {}
    for booking in bookings:
        if not booking.interpreter_needed or not booking.interpreter_language:
            continue
        key, name = interpreter_language(booking.interpreter_language)
        need = needs.setdefault(key, InterpreterNeed(name))
        if booking.interpreter_mode == "phone":
            need.phone += 1
        else:
            need.on_site += 1
    return sorted(needs.values(), key=lambda need: (-need.total, need.language.casefold()))


def _row(booking: Booking) -> DeskRow:
    language = None
    if booking.interpreter_needed and booking.interpreter_language:
        language = interpreter_language(booking.interpreter_language)[1]
    return DeskRow(booking, booking.reservation.desk, format_phone(booking.phone), language)


def open_day_list(session: Session, day: date, actor) -> DayList:
    """The active bookings of one local day by time and desk; the view is audited."""
    bookings = _day_bookings(session, day)
    audit.record(session, "day_list_viewed", actor=actor, details={"day": day.isoformat()})
    session.commit()
    rows = [_row(booking) for booking in bookings]
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.booking_id.in_([b.id for b in bookings]))
        .order_by(OutboxMessage.id)
    )  # one query for the whole day
    by_booking = {row.booking.id: row for row in rows}
    for message in messages:
        by_booking[message.booking_id].messages.append(message)
    return DayList(
        day=day,
        rows=rows,
        interpreters=_interpreter_needs(bookings),
        closures=closures.covering(session, day, day),
        day_has_come=day <= clock.today(),
    )


# --- attendance --------------------------------------------------------------------------------


def mark_attendance(session: Session, booking: Booking, state: str, actor) -> bool:
    """Check in, mark as no-show, or clear; False when the booking already was so."""
    if booking.status != "active":
        raise AttendanceRefused("cancelled")
    if local_day(booking) > clock.today():
        raise AttendanceRefused("not_yet")
    new = None if state == "clear" else state
    if booking.attendance == new:
        return False
    previous = booking.attendance
    booking.attendance = new
    booking.attendance_at = clock.now() if new else None
    audit.record(
        session, ATTENDANCE_ACTIONS[state], actor=actor, target_type="booking",
        target_id=booking.reference, details={"previous": previous},
    )  # fmt: skip
    session.commit()
    return True


def find_booking(session: Session, booking_id: int) -> Booking | None:
    return session.get(Booking, booking_id)


def readable_contact(booking: Booking) -> tuple[str, str]:
    """(phone, language) of a booking as the closure page shows them."""
    return format_phone(booking.phone), spoken_language(booking.language)


def needs_its_link(booking: Booking) -> bool:
    """Only an active booking that has not begun can still be seen, moved or cancelled."""
    return booking.status == "active" and clock.utc(booking.starts_at) > clock.now()


def send_new_link(session: Session, booking: Booking, actor) -> list[tuple[str, str]]:
    """The front desk sends a new private link to someone who phoned: to the booking's own phone
    and e-mail; the old link stops working. Audited; returns where it went."""
    sent_to = booking_services.send_link_for_staff(session, booking)
    audit.record(session, "link_sent_by_staff", actor=actor, target_type="booking",
                 target_id=booking.reference, details={"channels": [c for c, _ in sent_to]})  # fmt: skip
    session.commit()
    return sent_to
