"""What administrators see of the outbox: messages by state, and sending a failed one again."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import clock
from portal.notify.models import STATES, OutboxMessage


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {state: 0 for state in STATES} | dict(rows.all())


def messages_in_state(session: Session, state: str, limit: int = 100) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.status == state)
    return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def can_retry(message: OutboxMessage) -> bool:
    return message.status == "failed"


def retry(session: Session, message: OutboxMessage) -> bool:
    """Back in the queue with fresh attempts; the text is written anew (a new short link)."""
    if not can_retry(message):
        return False
    message.status, message.attempts, message.last_error = "pending", 0, None
    message.next_attempt_at = clock.now()
    message.subject = None
    return True
