"""Rules for bookings. Every change runs in one serialised transaction, and the desk table's
primary key is the final word: a slot never holds more bookings than desks."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.appointments import closures, messages, slots
from portal.appointments.models import Booking, DeskReservation, SlotLock
from portal.i18n import languages
from portal.links.references import new_reference
from portal.links.retired import replace_links
from portal.links.short_links import short_link_target
from portal.links.tokens import derived_token, looks_like_token, token_hash
from portal.notify import outbox
from portal.profile import Profile
from portal.profile.clock import utc

MAX_ACTIVE_PER_PHONE = 2  # active future bookings per phone number (issue #4)


BOOKING_LINK_PURPOSE = "booking-manage"


class BookingRefused(Exception):
    """The booking cannot be made; `reason` says why, for the page to explain."""

    def __init__(self, reason: str, *, link_sent: bool = False):
        super().__init__(reason)
        # slot_taken, not_bookable, or phone_has_bookings: this phone has a booking at this
        # time, or as many as one phone may have; one answer for both, so the answer does not
        # tell which times a phone has booked. Their links went again to that phone when
        # link_sent.
        self.reason = reason
        self.link_sent = link_sent


@dataclass
class BookingDetails:
    topic: str
    name: str
    phone: str
    email: str | None
    people: int
    language: str
    interpreter_needed: bool
    interpreter_language: str | None
    interpreter_dialect: str | None
    interpreter_mode: str | None
    note: str | None


def details_from(form, topic: str) -> BookingDetails:
    """The validated form's answers, as the booking stores them."""
    needed = form.interpreter_needed.data == "yes"
    return BookingDetails(
        topic=topic,
        name=form.name.data,
        phone=form.phone.data,
        email=form.email.data or None,
        people=int(form.people.data),
        language=form.language.data,
        interpreter_needed=needed,
        interpreter_language=languages.chosen(form),
        interpreter_dialect=(form.interpreter_dialect.data or None) if needed else None,
        interpreter_mode=form.interpreter_mode.data if needed else None,
        note=form.note.data or None,
    )


def taken_desks(session: Session, day: date, zone: str) -> dict[datetime, int]:
    """Reserved desks per start time (UTC) on one local day."""
    start = datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
    rows = session.execute(
        select(DeskReservation.starts_at, func.count())
        .where(
            DeskReservation.starts_at >= start,
            DeskReservation.starts_at < start + timedelta(days=1),
        )
        .group_by(DeskReservation.starts_at)
    )
    return {utc(starts_at): count for starts_at, count in rows}


def open_days(session: Session, profile: Profile, now: datetime) -> list[date]:
    horizon = now.date() + timedelta(days=profile.booking.horizon_days + 1)
    return slots.bookable_days(profile, now, closures.spans(session, now.date(), horizon))


def free_slots(session: Session, profile: Profile, day: date, now: datetime) -> list[slots.Slot]:
    known = closures.spans(session, day, day)
    return slots.slots_for_day(
        profile, day, now, known, taken_desks(session, day, profile.timezone)
    )


def _lock(session: Session, start: datetime, phone: str) -> None:
    """Decide bookings for one time, and for one phone number, one after the other.
    SQLite: the serialised session's BEGIN IMMEDIATE already holds the database's write lock."""
    if session.bind.dialect.name != "postgresql":
        return
    session.execute(pg_insert(SlotLock).values(starts_at=start).on_conflict_do_nothing())
    session.execute(select(SlotLock).where(SlotLock.starts_at == start).with_for_update())
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:phone))"), {"phone": phone})


def _free_desk(session: Session, profile: Profile, start: datetime) -> int | None:
    taken = set(
        session.scalars(select(DeskReservation.desk).where(DeskReservation.starts_at == start))
    )
    return next((desk for desk in range(1, profile.booking.desks + 1) if desk not in taken), None)


def _check_bookable(session: Session, profile: Profile, start: datetime, now: datetime) -> None:
    local_day = start.astimezone(ZoneInfo(profile.timezone)).date()
    if not slots.is_bookable(profile, start, now, closures.spans(session, local_day, local_day)):
        raise BookingRefused("not_bookable")


def _active_for_phone(session: Session, phone: str, now: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.phone == phone, Booking.status == "active", Booking.starts_at > now)
    )


def _booking_of_form(session: Session, form_key: str) -> Booking | None:
    return session.scalars(
        select(Booking).where(Booking.form_key_hash == token_hash(form_key))
    ).first()


def _active_at(session: Session, phone: str, start: datetime) -> Booking | None:
    return session.scalars(
        select(Booking).where(
            Booking.phone == phone, Booking.starts_at == start, Booking.status == "active"
        )
    ).first()


def _unused_reference(session: Session) -> str:
    while True:
        reference = new_reference("TB")
        if session.scalar(select(Booking.id).where(Booking.reference == reference)) is None:
            return reference


def manage_token(secret_key: str, form_key: str) -> str:
    """The booking's private link, derived from the form's one-time key: every answer to the same
    form (a double tap, a reload) sets the same link, so whichever answer the phone keeps works."""
    return derived_token(secret_key, BOOKING_LINK_PURPOSE, form_key)


def book(
    session: Session,
    profile: Profile,
    start: datetime,
    details: BookingDetails,
    now: datetime,
    *,
    form_key: str,
    secret_key: str,
) -> tuple[Booking, str]:
    """Book a desk at `start` (one transaction, committed; on SQLite the session must be a
    serialised one, as a POST request's is); returns the booking and its private manage token.
    The form's one-time key recognises the same form sent again; a phone number and a time
    never do: if this phone has a booking at this time already, its link goes again to that
    phone (nothing of it is shown here) and the booking is refused."""
    start = utc(start)
    token = manage_token(secret_key, form_key)
    with _one_transaction(session):
        _lock(session, start, details.phone)
        booking, conflict = _decide(session, profile, start, details, now, form_key, token)
    if conflict is not None:
        raise conflict  # after the commit: the link sent to the phone on record stays sent
    return booking, token


@contextmanager
def _one_transaction(session: Session):
    """Commit what the block did; on any refusal roll it all back. The desk table's primary key
    is the last word on a lost race (an IntegrityError); an OperationalError, a database that is
    locked, gone or full, is not a lost race: it goes on to the 503 page."""
    try:
        yield
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise BookingRefused("slot_taken") from error
    except BaseException:
        session.rollback()
        raise


def _decide(session, profile, start, details, now, form_key, token):
    """(the booking, None), or (None, the refusal) when the refusal wrote something to keep; other
    refusals are raised and roll back."""
    sent_before = _booking_of_form(session, form_key)
    if sent_before is not None and sent_before.manage_token_hash == token_hash(token):
        return sent_before, None  # the same form again: the same booking and link
    _check_bookable(session, profile, start, now)
    same = _active_at(session, details.phone, start)
    if same is not None or _active_for_phone(session, details.phone, now) >= MAX_ACTIVE_PER_PHONE:
        sent = _send_links_to_phone_on_record(session, details.phone, now)
        return None, BookingRefused("phone_has_bookings", link_sent=sent)
    desk = _free_desk(session, profile, start)
    if desk is None:
        raise BookingRefused("slot_taken")
    booking = Booking(
        reference=_unused_reference(session), starts_at=start,
        manage_token_hash=token_hash(token),
        # A form whose earlier booking has had its link renewed since makes a booking of its own.
        form_key_hash=None if sent_before else token_hash(form_key), **vars(details),
    )  # fmt: skip
    booking.reservation = DeskReservation(starts_at=start, desk=desk)
    session.add(booking)
    session.flush()
    messages.booked(session, booking, profile.timezone, now)  # same transaction
    return booking, None


def _send_links_to_phone_on_record(session: Session, phone: str, now: datetime) -> bool:
    """Someone tried to book with a phone whose bookings stop it: the links of those bookings go
    to the phone (each once a day), never to the screen. False when the public message budget
    holds them."""
    if outbox.budget_refusal(session, now) is not None:
        return False
    active = select(Booking).where(
        Booking.phone == phone, Booking.status == "active", Booking.starts_at > now
    )
    for booking in session.scalars(active):
        messages.link_again(session, booking, [("sms", phone)],
                            event=f"again:{now.date().isoformat()}", public=True)  # fmt: skip
    return True


def find_booking(session: Session, token: str | None) -> Booking | None:
    """The booking of a private link: its own manage token, or a short link from a text message."""
    if not looks_like_token(token):
        return None
    booking = session.scalars(
        select(Booking).where(Booking.manage_token_hash == token_hash(token))
    ).first()
    if booking is None:  # a short link from a text message opens the same booking
        booking_id = short_link_target(session, token, "booking_id")
        booking = session.get(Booking, booking_id) if booking_id else None
    return booking


def booking_by_reference(session: Session, reference: str) -> Booking | None:
    """The booking, its row locked until the commit (PostgreSQL): two requests replacing its
    link are decided one after the other."""
    query = select(Booking).where(Booking.reference == reference).with_for_update()
    return session.scalars(query).first()


def _new_link(session: Session, booking: Booking) -> str:
    """A new private link: the old one, its short links and the cookies holding them stop
    working. Returns a key that tells this renewal's messages apart."""
    _token, booking.manage_token_hash = replace_links(
        session, booking.manage_token_hash, booking_id=booking.id
    )
    return booking.manage_token_hash[:16]


def send_link_again(
    session: Session, reference: str, contact: tuple[str, str], now: datetime
) -> bool:
    """The person asked for their link again: when `contact` is the booking's phone or e-mail,
    a new link goes there (the caller commits and answers the same either way)."""
    booking = booking_by_reference(session, reference)
    if booking is None or contact not in messages.contacts(booking):
        return False
    renewal = _new_link(session, booking)
    messages.link_again(session, booking, [contact], event=f"again:{renewal}", public=True)
    return True


def send_link_for_staff(session: Session, booking: Booking) -> list[tuple[str, str]]:
    """The front desk sends a new link to someone who phoned: to every contact on record.
    Returns where it went (the caller writes the audit entry and commits)."""
    renewal = _new_link(session, booking)
    sent_to = messages.contacts(booking)
    messages.link_again(session, booking, sent_to, event=f"staff:{renewal}", public=False)
    return sent_to


def cancel(session: Session, token: str, now: datetime) -> Booking | None:
    """Cancel an active future booking: its desk is free at once (committed)."""
    with _one_transaction(session):
        booking = find_booking(session, token)
        if booking is None or booking.status != "active" or utc(booking.starts_at) <= now:
            return None
        booking.status = "cancelled"
        booking.cancelled_at = now
        session.execute(delete(DeskReservation).where(DeskReservation.booking_id == booking.id))
        messages.cancelled(session, booking)
    return booking


def move(
    session: Session, profile: Profile, token: str, new_start: datetime, now: datetime
) -> Booking:
    """Move a booking to another time in one transaction: the old desk is given up only if the
    new one is secured; on any refusal the booking stays as it was."""
    new_start = utc(new_start)
    with _one_transaction(session):
        booking = find_booking(session, token)
        if booking is None or booking.status != "active" or utc(booking.starts_at) <= now:
            raise BookingRefused("not_bookable")  # a past appointment cannot come back
        _lock(session, new_start, booking.phone)
        _check_bookable(session, profile, new_start, now)
        session.execute(delete(DeskReservation).where(DeskReservation.booking_id == booking.id))
        session.flush()
        desk = _free_desk(session, profile, new_start)
        if desk is None:
            raise BookingRefused("slot_taken")  # rolls back: the old desk is kept
        session.add(DeskReservation(starts_at=new_start, desk=desk, booking_id=booking.id))
        booking.starts_at = new_start
        messages.moved(session, booking, profile.timezone, now)
    return booking


def past_retention(now: datetime, days: int):
    """Bookings whose time, or whose cancellation, is more than `days` ago."""
    cutoff = now - timedelta(days=days)
    return (Booking.starts_at < cutoff) | (
        (Booking.status == "cancelled") & (Booking.cancelled_at < cutoff)
    )


def count_old_bookings(session: Session, now: datetime, days: int) -> int:
    query = select(func.count()).select_from(Booking).where(past_retention(now, days))
    return session.scalar(query)


def purge_old_bookings(session: Session, now: datetime, days: int) -> int:
    """Delete bookings whose time, or whose cancellation, is more than `days` ago (the caller
    commits)."""
    ids = session.scalars(select(Booking.id).where(past_retention(now, days))).all()
    if ids:
        session.execute(delete(DeskReservation).where(DeskReservation.booking_id.in_(ids)))
        session.execute(delete(Booking).where(Booking.id.in_(ids)))
    return len(ids)
