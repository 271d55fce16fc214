"""Putting messages in the outbox, inside the transaction of the change that causes them.

Each message has a de-duplication key (kind, event, channel): a second event with the same key,
such as the same booking form sent twice, adds nothing. The text is written when the message is
first sent (see worker.py and sources.py), so a reminder tells the booking's time as it is then.
Features decide what to send and to whom (their messages.py); this module knows no feature."""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.notify.models import OutboxMessage
from portal.profile import clock


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


def cancel_pending(session: Session, kinds: tuple[str, ...], **target: int) -> None:
    """Messages about one booking, case or draft (booking_id=…) not needed any more, and not
    yet out (a reminder of a booking as it was, a saved registration's link once it is sent):
    cancelled, and their text, which may hold a link, goes with them."""
    ((column, value),) = target.items()
    session.execute(
        update(OutboxMessage)
        .where(getattr(OutboxMessage, column) == value, OutboxMessage.kind.in_(kinds),
               OutboxMessage.status.in_(("pending", "sending")))
        .values(status="cancelled", body=None, subject=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def count_sent_before(session: Session, kind: str, channel: str, **target: int) -> int:
    """How many messages of a kind went (or wait to go) about one booking, case or draft."""
    ((column, value),) = target.items()
    return session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(getattr(OutboxMessage, column) == value, OutboxMessage.kind == kind,
               OutboxMessage.channel == channel)
    )  # fmt: skip


def sent_to(session: Session, kind: str, **target: int) -> set[str]:
    """The addresses messages of a kind about one booking, case or draft went to."""
    ((column, value),) = target.items()
    return set(
        session.scalars(
            select(OutboxMessage.recipient)
            .where(getattr(OutboxMessage, column) == value, OutboxMessage.kind == kind)
        )
    )  # fmt: skip


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
    personal data too. Waiting messages stay. The caller commits."""
    result = session.execute(delete(OutboxMessage).where(finished_before(now, days)))
    return result.rowcount


def count_finished(session: Session, now: datetime, days: int) -> int:
    query = select(func.count()).select_from(OutboxMessage).where(finished_before(now, days))
    return session.scalar(query)
