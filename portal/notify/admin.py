"""What administrators see of the outbox: messages by state, and sending a failed one again.
Both are audited (the list shows phone numbers) and committed here; the view renders the result."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.notify.models import STATES, OutboxMessage
from portal.profile import clock


@dataclass
class OutboxPage:
    state: str
    counts: dict[str, int]
    messages: list[OutboxMessage]


def outbox_page(session: Session, actor, state: str, limit: int = 100) -> OutboxPage:
    """The messages in one state (failed ones unless another known state is asked for)."""
    if state not in STATES:
        state = "failed"
    audit.record(session, "messages_viewed", actor=actor, details={"state": state})
    counts = counts_by_state(session)
    query = select(OutboxMessage).where(OutboxMessage.status == state)
    messages = list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))
    session.commit()
    return OutboxPage(state, counts, messages)


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {state: 0 for state in STATES} | dict(rows.all())


def can_retry(message: OutboxMessage) -> bool:
    return message.status == "failed"


def retry(session: Session, actor, message_id: int) -> bool:
    """Back in the queue with fresh attempts; the text is written anew (a new short link).
    False when there is no such message or it has not failed."""
    message = session.get(OutboxMessage, message_id)
    if message is None or not can_retry(message):
        return False
    message.status, message.attempts, message.last_error = "pending", 0, None
    message.next_attempt_at = clock.now()
    message.subject = None
    audit.record(
        session, "message_retried", actor=actor, target_type="message", target_id=message.id
    )
    session.commit()
    return True
