"""Asking for a link again. The answer on screen is the same whether or not the details match
something; what happened is written to the audit log."""

from datetime import datetime

from sqlalchemy.orm import Session

from portal import audit
from portal.appointments import services as appointments
from portal.notify import outbox
from portal.registration import services as registration

# Who answers for a reference's prefix; None: a saved registration, found by its contact.
SENDERS = {
    "TB": appointments.send_link_again,
    "FG": registration.send_status_link_again,
}


def request_new_link(
    session: Session, reference: str | None, contact: tuple[str, str], now: datetime
) -> str:
    """Send a new link when the reference and the contact match; returns "sent" whether or not
    they matched, or "paused" while the public message budget is spent, which is checked before
    anything is looked up, so the answer says nothing of a match."""
    refusal = outbox.budget_refusal(session, now)
    matched = False
    if refusal is None:
        if reference is None:
            matched = registration.send_draft_link_again(session, contact, now)
        else:
            matched = SENDERS[reference[:2]](session, reference, contact, now)
    audit.record(
        session, "link_requested", target_type="reference" if reference else None,
        target_id=reference, details={"channel": contact[0], "matched": matched, "refused": refusal},
    )  # fmt: skip
    session.commit()
    return refusal or "sent"
