"""Delivering due messages. Each message is claimed in a conditional UPDATE (so two workers never
take the same one), its text is written and committed before sending (a retry sends the same
text), and it is marked sent afterwards. A worker that dies between sending and marking leaves the
message claimed; after the lease it is sent again: delivery is at least once, never lost."""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from portal import i18n
from portal.notify import sources, texts
from portal.notify.models import OutboxMessage
from portal.notify.transports import TransportError
from portal.profile import clock

log = logging.getLogger("portal.notify")
OUTBOX_WORKER = "outbox-worker"  # its heartbeat, after each round (see /readyz)
LEASE = timedelta(minutes=5)
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


def _due(now: datetime):
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - LEASE),
    )


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due(now))
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def _values(session: Session, message: OutboxMessage) -> dict | None:
    """What the text needs, from the feature the message is about; None when the message no
    longer makes sense (a moved or cancelled booking's reminder, a sent draft, a deleted case)."""
    locale = i18n.get_locale_by_code(message.locale) or i18n.get_locale_by_code("nb")
    return sources.values(session, message, locale)


def _write_text(session: Session, message: OutboxMessage) -> bool:
    """Render the message once (False: it is no longer needed, and is cancelled). A text written
    on an earlier attempt is checked again: the booking may have changed since."""
    if message.body is not None:
        if not sources.still_wanted(session, message):
            message.status, message.body, message.subject = "cancelled", None, None
            session.commit()
            return False
        return True
    values = _values(session, message)
    if values is None:
        message.status = "cancelled"
        session.commit()
        return False
    locale = i18n.get_locale_by_code(message.locale) or i18n.get_locale_by_code("nb")
    profile = current_app.extensions["profile"]
    sms, subject, email_body = texts.render(
        message.kind, locale.gettext, values, service=profile.service_name, phone=profile.phone
    )
    message.body = sms if message.channel == "sms" else email_body
    message.subject = None if message.channel == "sms" else subject
    message.segments = texts.segments(sms)[1] if message.channel == "sms" else None
    session.commit()
    return True


def _finish(
    session: Session, message: OutboxMessage, now: datetime, error: TransportError | None
) -> None:
    if error is None:
        message.status, message.sent_at, message.last_error = "sent", now, None
    elif error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status, message.last_error = "failed", str(error)[:300]
    else:
        message.status, message.last_error = "pending", str(error)[:300]
        message.next_attempt_at = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        session.commit()
        return
    message.body = None  # private links leave the database with the message (params hold none)
    message.subject = message.subject and "—"
    session.commit()


def send_due(
    session: Session, transports: dict, now: datetime | None = None, limit: int = 100
) -> dict:
    """Send what is due; returns counts by outcome."""
    now = now or clock.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0}
    ids = session.scalars(
        select(OutboxMessage.id)
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    ).all()
    session.commit()
    for message_id in ids:
        outcome = _deliver(session, message_id, transports, now)
        if outcome is not None:
            counts[outcome] += 1
    return counts


def _deliver(session: Session, message_id: int, transports: dict, now: datetime) -> str | None:
    """One message: "sent", "retry", "failed" or "cancelled"; None when another worker has it."""
    if not _claim(session, message_id, now):
        return None
    # Fresh from the database: the claim's UPDATE does not touch a copy the session holds.
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message.attempts > MAX_ATTEMPTS:  # claimed again and again by workers that died
        return _fail(session, message, now, "the worker stopped while sending")
    try:
        written = _write_text(session, message)
    except Exception:  # noqa: BLE001 - a broken translation must not stop the other messages
        log.exception("outbox %s: the text could not be written", message_id)
        session.rollback()
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        return _fail(session, message, now, "the text could not be written")
    if not written:
        return "cancelled"
    try:
        transports[message.channel].send(message)
    except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
        if not isinstance(error, TransportError):
            error = TransportError(f"unexpected: {type(error).__name__}")
        log.warning("outbox %s: %s (attempt %s)", message.id, error, message.attempts)
        _finish(session, message, now, error)
        return "failed" if message.status == "failed" else "retry"
    _finish(session, message, now, None)
    return "sent"


def _fail(session: Session, message: OutboxMessage, now: datetime, reason: str) -> str:
    _finish(session, message, now, TransportError(reason, permanent=True))
    return "failed"
