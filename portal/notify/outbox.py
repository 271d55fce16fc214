"""Putting messages in the outbox, inside the transaction of the change that causes them.

Each message has a de-duplication key (kind, event, channel): a second event with the same key,
such as the same booking form sent twice, adds nothing. The text is written when the message is
first sent (see worker.py), so a reminder tells the booking's time as it is then."""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit, clock
from portal.notify.models import OutboxMessage
from portal.validation import normalise_digits

REMINDER_HOUR = 17  # the day before, at 17:00 office time


def _contacts_of_booking(booking) -> list[tuple[str, str]]:
    contacts = [("sms", booking.phone)]
    if booking.email:
        contacts.append(("email", booking.email))
    return contacts


def contacts_of_registration(answers: dict) -> list[tuple[str, str]]:
    """SMS first, e-mail where given (whatever the person prefers for calls, a text reaches them)."""
    contact = answers.get("contact") or {}
    contacts = []
    phone = normalise_digits(contact.get("phone") or "").replace(" ", "")
    if phone:
        contacts.append(("sms", phone))
    if contact.get("email"):
        contacts.append(("email", contact["email"]))
    return contacts


def enqueue(
    session: Session,
    kind: str,
    *,
    event: str,
    locale: str,
    contacts: list[tuple[str, str]],
    booking_id=None,
    case_id=None,
    draft_id=None,
    due_at: datetime | None = None,
    params: dict | None = None,
    requested_by_public: bool = False,
) -> int:
    """Add one message per contact; returns how many were new."""
    added = 0
    for channel, recipient in contacts:
        message = OutboxMessage(
            dedupe_key=f"{kind}:{event}:{channel}"[:120], kind=kind, channel=channel,
            recipient=recipient, locale=locale, booking_id=booking_id, case_id=case_id, draft_id=draft_id,
            params=params, status="pending", attempts=0, next_attempt_at=clock.utc(due_at or clock.now()),
            requested_by_public=requested_by_public,
        )  # fmt: skip
        if session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == message.dedupe_key)
        ):
            continue
        try:
            with session.begin_nested():  # a concurrent twin: the unique key decides, quietly
                session.add(message)
        except IntegrityError:
            continue
        added += 1
    return added


def reminder_time(starts_at: datetime, zone: str) -> datetime:
    day_before = starts_at.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
    return datetime.combine(day_before, time(REMINDER_HOUR), ZoneInfo(zone))


def booking_booked(session: Session, booking, zone: str, now: datetime) -> None:
    """Confirmation now, and a reminder the day before (unless that moment has passed)."""
    start = clock.utc(booking.starts_at)
    enqueue(session, "booking_confirmed", event=str(booking.id), locale=booking.language,
            contacts=_contacts_of_booking(booking), booking_id=booking.id)  # fmt: skip
    _remind(session, booking, start, zone, now)


def _move_number(session: Session, booking_id: int) -> int:
    """How many times the booking has been moved: part of the key of a move's messages, so that
    moving back to an earlier time tells the person again (and reminds them again)."""
    return session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.booking_id == booking_id, OutboxMessage.kind == "booking_moved",
               OutboxMessage.channel == "sms")
    )  # fmt: skip


def _remind(session: Session, booking, start: datetime, zone: str, now: datetime) -> None:
    due = reminder_time(start, zone)
    if due > now:
        event = f"{booking.id}:{start.isoformat()}:{_move_number(session, booking.id)}"
        enqueue(session, "booking_reminder", event=event, locale=booking.language,
                contacts=_contacts_of_booking(booking), booking_id=booking.id, due_at=due,
                params={"starts_at": start.isoformat()})  # fmt: skip


def _drop_pending_reminders(session: Session, booking_id: int) -> None:
    """Messages about the booking as it was, not yet out, are not needed any more (and their text,
    which may hold a link, goes with them)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.booking_id == booking_id,
               OutboxMessage.kind.in_(("booking_reminder", "booking_confirmed", "booking_moved")),
               OutboxMessage.status.in_(("pending", "sending")))
        .values(status="cancelled", body=None, subject=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def booking_moved(session: Session, booking, zone: str, now: datetime) -> None:
    start = clock.utc(booking.starts_at)
    _drop_pending_reminders(session, booking.id)
    event = f"{booking.id}:{start.isoformat()}:{_move_number(session, booking.id)}"
    enqueue(session, "booking_moved", event=event, locale=booking.language,
            contacts=_contacts_of_booking(booking), booking_id=booking.id)  # fmt: skip
    _remind(session, booking, start, zone, now)


def booking_cancelled(session: Session, booking, *, closed: bool = False) -> None:
    """Cancelled by the person, or by the office because of a closure."""
    _drop_pending_reminders(session, booking.id)
    kind = "booking_closed" if closed else "booking_cancelled"
    enqueue(session, kind, event=str(booking.id), locale=booking.language,
            contacts=_contacts_of_booking(booking), booking_id=booking.id)  # fmt: skip


def registration_received(session: Session, case, answers: dict) -> None:
    enqueue(session, "registration_received", event=str(case.id), locale=case.locale,
            contacts=contacts_of_registration(answers), case_id=case.id)  # fmt: skip


def caseworker_wrote(session: Session, case, answers: dict, event_id: int) -> None:
    enqueue(session, "caseworker_message", event=str(event_id), locale=case.locale,
            contacts=contacts_of_registration(answers), case_id=case.id)  # fmt: skip


# What the public can make the outbox send. Messages to an address someone typed (a saved
# registration's link) are capped per address a day, per draft, and to half the hourly budget;
# links sent again to the contact on record of a booking or a case count towards the hourly
# budget (PUBLIC_MESSAGES_PER_HOUR, configuration) and are bounded by the rate limits of the
# page that asks (per client address, per reference and contact). So nobody can pump messages
# through us, and typed addresses can never use up what people who lost their link need.
PUBLIC_PER_RECIPIENT_PER_DAY = 3
PUBLIC_RECIPIENTS_PER_DRAFT = 3
TYPED_ADDRESS_KINDS = ("draft_link",)
log = logging.getLogger("portal.notify")


def _public_since(session: Session, since: datetime, *conditions) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.requested_by_public.is_(True), OutboxMessage.created_at >= since, *conditions)
    )  # fmt: skip


def public_budget_spent(session: Session, now: datetime, *, typed_address: bool = False) -> bool:
    """Whether the hourly budget of messages the public asks for is spent (half of it, for
    messages to addresses someone typed)."""
    budget = current_app.config["PUBLIC_MESSAGES_PER_HOUR"]
    hour = now - timedelta(hours=1)
    if typed_address:
        typed = OutboxMessage.kind.in_(TYPED_ADDRESS_KINDS)
        if _public_since(session, hour, typed) >= budget // 2:
            return True
    return _public_since(session, hour) >= budget


def public_refusal(
    session: Session, recipient: str, now: datetime, *, typed_address: bool
) -> str | None:
    """Why a message someone asked for on a public page cannot go to `recipient` now:
    "recipient_limit" (an address someone typed had its share today) or "paused" (the hourly
    budget is spent; administrators are told), else None."""
    if typed_address:
        to_them = OutboxMessage.recipient == recipient
        if _public_since(session, now - timedelta(days=1), to_them) >= PUBLIC_PER_RECIPIENT_PER_DAY:
            return "recipient_limit"
    return budget_refusal(session, now, typed_address=typed_address)


def budget_refusal(session: Session, now: datetime, *, typed_address: bool = False) -> str | None:
    """ "paused" while the hourly budget is spent (administrators are told), else None."""
    if not public_budget_spent(session, now, typed_address=typed_address):
        return None
    _tell_staff_once_an_hour(session, now)
    return "paused"


def _tell_staff_once_an_hour(session: Session, now: datetime) -> None:
    """A warning in the log, and once an hour an entry in the audit log; the administrators'
    pages show a notice while the budget is spent."""
    log.warning("public message budget spent: messages people ask for are paused for now")
    if not audit.recorded_since(session, "public_messages_paused", now - timedelta(hours=1)):
        audit.record(
            session,
            "public_messages_paused",
            details={"per_hour": current_app.config["PUBLIC_MESSAGES_PER_HOUR"]},
        )


def draft_link(
    session: Session, *, draft_id: int, locale: str, contact: tuple[str, str], now: datetime
) -> str | None:
    """The link to a saved registration, when the person asks for it: once a day per address
    (asking twice sends one message), to at most PUBLIC_RECIPIENTS_PER_DRAFT addresses per draft.
    Returns why it cannot be sent, or None. The short link is made when the message is sent, so
    no private token waits in the outbox."""
    recipients = set(
        session.scalars(
            select(OutboxMessage.recipient)
            .where(OutboxMessage.draft_id == draft_id, OutboxMessage.kind == "draft_link")
        )
    )  # fmt: skip
    if contact[1] not in recipients and len(recipients) >= PUBLIC_RECIPIENTS_PER_DRAFT:
        return "draft_limit"
    refusal = public_refusal(session, contact[1], now, typed_address=True)
    if refusal is not None:
        return refusal
    event = f"{draft_id}:{contact[1]}:{clock.today().isoformat()}"
    enqueue(session, "draft_link", event=event, locale=locale, contacts=[contact],
            draft_id=draft_id, requested_by_public=True)  # fmt: skip
    return None


def draft_link_again(session: Session, *, draft_id: int, locale: str, contact, event: str) -> None:
    """A saved registration's new link, asked for on the get-my-link-again page, to the contact
    given in it (the caller has checked the public budget before it looked for the draft)."""
    enqueue(session, "draft_link", event=event, locale=locale, contacts=[contact],
            draft_id=draft_id, requested_by_public=True)  # fmt: skip


def cancel_pending(session: Session, *, draft_id: int, kind: str) -> None:
    """Messages not needed any more (a saved registration's link, once it has been sent)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.draft_id == draft_id, OutboxMessage.kind == kind,
               OutboxMessage.status.in_(("pending", "sending")))
        .values(status="cancelled", body=None, subject=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def booking_link(session: Session, booking, contacts, *, event: str, public: bool) -> int:
    """A booking's link sent again: asked for by the person (public), by the front desk for
    someone who phoned, or because someone tried to book the same time with the same phone."""
    return enqueue(session, "booking_link", event=f"{booking.id}:{event}", locale=booking.language,
                   contacts=contacts, booking_id=booking.id, requested_by_public=public)  # fmt: skip


def status_link(session: Session, case, contacts, *, event: str, public: bool) -> int:
    """A case's new status link, asked for by the applicant (public) or sent by a caseworker."""
    return enqueue(session, "status_link", event=f"{case.id}:{event}", locale=case.locale,
                   contacts=contacts, case_id=case.id, requested_by_public=public)  # fmt: skip


def due_backlog(session: Session, now: datetime) -> tuple[int, datetime | None]:
    """How many messages are due and not sent, and since when the oldest has been due."""
    count, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
        )
    ).one()
    return count, oldest and clock.utc(oldest)


def messages_for(session: Session, *, booking_id=None, case_id=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if booking_id is not None:
        query = query.where(OutboxMessage.booking_id == booking_id)
    if case_id is not None:
        query = query.where(OutboxMessage.case_id == case_id)
    return list(session.scalars(query))


def finished_before(now: datetime, days: int):
    return OutboxMessage.status.in_(("sent", "failed", "cancelled")) & (
        OutboxMessage.created_at < now - timedelta(days=days)
    )


def purge_finished(session: Session, now: datetime, days: int) -> int:
    """Forget finished messages (sent, failed, cancelled) after `days`: who was sent what is
    personal data too. Waiting messages stay."""
    from sqlalchemy import delete

    result = session.execute(delete(OutboxMessage).where(finished_before(now, days)))
    session.commit()
    return result.rowcount
