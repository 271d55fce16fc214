"""The messages about a booking: what is sent when, to whom, and what each says at sending time
(registered with the outbox worker, see notify/sources.py)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal.appointments.models import Booking
from portal.i18n import PortalLocale
from portal.i18n.formatting import short_when
from portal.links.short_links import new_short_link
from portal.links.urls import public_url, short_link_url
from portal.notify import outbox, sources
from portal.notify.models import OutboxMessage
from portal.profile import clock, get_profile
from portal.security.masking import masked_email, masked_phone

REMINDER_HOUR = 17  # the day before, at 17:00 office time
ABOUT_AN_ACTIVE_BOOKING = ("booking_confirmed", "booking_moved", "booking_reminder")
NO_LONGER_TRUE_WHEN_CHANGED = ("booking_reminder", "booking_confirmed", "booking_moved")
WITHOUT_A_PRIVATE_LINK = ("booking_cancelled", "booking_closed")  # they link to the booking pages


def contacts(booking: Booking) -> list[tuple[str, str]]:
    """Where the booking's messages go: its phone, and its e-mail when given."""
    found = [("sms", booking.phone)]
    if booking.email:
        found.append(("email", booking.email.lower()))
    return found


def masked_contacts(booking: Booking) -> list[tuple[str, str]]:
    """Where the booking's messages went, masked: [("sms", "+47 •••• 45 67"), ("email", …)]."""
    mask = {"sms": masked_phone, "email": masked_email}
    return [(channel, mask[channel](to)) for channel, to in contacts(booking)]


def reminder_time(starts_at: datetime, zone: str) -> datetime:
    day_before = starts_at.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
    return datetime.combine(day_before, time(REMINDER_HOUR), ZoneInfo(zone))


def booked(session: Session, booking: Booking, zone: str, now: datetime) -> None:
    """Confirmation now, and a reminder the day before (unless that moment has passed)."""
    start = clock.utc(booking.starts_at)
    outbox.enqueue(session, "booking_confirmed", event=str(booking.id), locale=booking.language,
                   contacts=contacts(booking), booking_id=booking.id)  # fmt: skip
    _remind(session, booking, start, zone, now)


def _move_number(session: Session, booking_id: int) -> int:
    """How many times the booking has been moved: part of the key of a move's messages, so that
    moving back to an earlier time tells the person again (and reminds them again)."""
    return outbox.count_sent_before(session, "booking_moved", "sms", booking_id=booking_id)


def _remind(session: Session, booking: Booking, start: datetime, zone: str, now: datetime) -> None:
    due = reminder_time(start, zone)
    if due > now:
        event = f"{booking.id}:{start.isoformat()}:{_move_number(session, booking.id)}"
        outbox.enqueue(session, "booking_reminder", event=event, locale=booking.language,
                       contacts=contacts(booking), booking_id=booking.id, due_at=due,
                       params={"starts_at": start.isoformat()})  # fmt: skip


def moved(session: Session, booking: Booking, zone: str, now: datetime) -> None:
    start = clock.utc(booking.starts_at)
    outbox.cancel_pending(session, NO_LONGER_TRUE_WHEN_CHANGED, booking_id=booking.id)
    event = f"{booking.id}:{start.isoformat()}:{_move_number(session, booking.id)}"
    outbox.enqueue(session, "booking_moved", event=event, locale=booking.language,
                   contacts=contacts(booking), booking_id=booking.id)  # fmt: skip
    _remind(session, booking, start, zone, now)


def cancelled(session: Session, booking: Booking, *, closed: bool = False) -> None:
    """Cancelled by the person, or by the office because of a closure."""
    outbox.cancel_pending(session, NO_LONGER_TRUE_WHEN_CHANGED, booking_id=booking.id)
    kind = "booking_closed" if closed else "booking_cancelled"
    outbox.enqueue(session, kind, event=str(booking.id), locale=booking.language,
                   contacts=contacts(booking), booking_id=booking.id)  # fmt: skip


def link_again(session: Session, booking: Booking, to, *, event: str, public: bool) -> int:
    """A booking's link sent again: asked for by the person (public), by the front desk for
    someone who phoned, or because someone tried to book with the booking's phone."""
    return outbox.enqueue(session, "booking_link", event=f"{booking.id}:{event}",
                          locale=booking.language, contacts=to, booking_id=booking.id,
                          requested_by_public=public)  # fmt: skip


# --- at sending time -------------------------------------------------------------------------
def _stale(message: OutboxMessage, booking: Booking) -> bool:
    """A message about a booking as it no longer is: a confirmation or reminder of a booking
    cancelled since, a reminder of a time the booking was moved away from."""
    if message.kind in ABOUT_AN_ACTIVE_BOOKING and booking.status != "active":
        return True
    wanted = (message.params or {}).get("starts_at")
    return message.kind == "booking_reminder" and wanted != clock.utc(booking.starts_at).isoformat()


def _still_wanted(session: Session, message: OutboxMessage) -> bool:
    booking = session.get(Booking, message.booking_id)
    return booking is not None and not _stale(message, booking)


def _values(session: Session, message: OutboxMessage, locale: PortalLocale) -> dict | None:
    booking = session.get(Booking, message.booking_id)
    if booking is None or _stale(message, booking):
        return None
    if message.kind in WITHOUT_A_PRIVATE_LINK:
        link = public_url("appointments.choose_topic", lang=locale.code)
    else:  # made now: no private token waited in the outbox
        link = short_link_url(new_short_link(session, locale=locale.code, booking_id=booking.id))
    return {
        "when": short_when(clock.utc(booking.starts_at), locale.gettext),
        "reference": booking.reference,
        "link": link,
        # Where to come: for the texts about an appointment that stands (confirmed, moved,
        # reminder, link again); a cancelled one needs no address.
        "address": get_profile().sms_address,
    }


def init_app() -> None:
    sources.register("booking", sources.Source(values=_values, still_wanted=_still_wanted))
