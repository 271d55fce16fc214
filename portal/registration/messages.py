"""The messages of a registration: its contacts, the receipt, and the link to a saved draft
(asked for by the person, capped, made at sending time and never sent once the draft is sent)."""

from datetime import datetime

from sqlalchemy.orm import Session

from portal.forms.validation import normalise_digits
from portal.i18n import PortalLocale
from portal.links.short_links import new_short_link
from portal.links.urls import short_link_url
from portal.notify import outbox, sources
from portal.notify.models import OutboxMessage
from portal.profile import clock
from portal.registration.models import Draft

# A saved registration's link goes to at most this many addresses someone typed.
RECIPIENTS_PER_DRAFT = 3


def contacts(answers: dict) -> list[tuple[str, str]]:
    """The phone and e-mail given on the contact page, as messages reach them: SMS first (whatever
    the person prefers for calls, a text reaches them), e-mail where given, in lower case."""
    contact = answers.get("contact") or {}
    found = []
    phone = normalise_digits(contact.get("phone") or "").replace(" ", "")
    if phone:
        found.append(("sms", phone))
    if contact.get("email"):
        found.append(("email", contact["email"].lower()))
    return found


def draft_link(
    session: Session, *, draft_id: int, locale: str, contact: tuple[str, str], now: datetime
) -> str | None:
    """The link to a saved registration, when the person asks for it: once a day per address
    (asking twice sends one message), to at most RECIPIENTS_PER_DRAFT addresses per draft.
    Returns why it cannot be sent, or None. The short link is made when the message is sent, so
    no private token waits in the outbox."""
    recipients = outbox.sent_to(session, "draft_link", draft_id=draft_id)
    if contact[1] not in recipients and len(recipients) >= RECIPIENTS_PER_DRAFT:
        return "draft_limit"
    refusal = outbox.public_refusal(session, contact[1], now, typed_address=True)
    if refusal is not None:
        return refusal
    event = f"{draft_id}:{contact[1]}:{clock.today().isoformat()}"
    outbox.enqueue(session, "draft_link", event=event, locale=locale, contacts=[contact],
                   draft_id=draft_id, requested_by_public=True)  # fmt: skip
    return None


def draft_link_again(session: Session, draft: Draft, contact, *, event: str) -> None:
    """A saved registration's new link, asked for on the get-my-link-again page, to the contact
    given in it (the caller has checked the public budget before it looked for the draft)."""
    outbox.enqueue(session, "draft_link", event=event, locale=draft.locale, contacts=[contact],
                   draft_id=draft.id, requested_by_public=True)  # fmt: skip


def draft_sent(session: Session, draft: Draft) -> None:
    """A link to the draft waiting to go out is not needed any more."""
    outbox.cancel_pending(session, ("draft_link",), draft_id=draft.id)


def _values(session: Session, message: OutboxMessage, locale: PortalLocale) -> dict | None:
    draft = session.get(Draft, message.draft_id)
    if draft is None or draft.case_id is not None:  # gone, or sent: the link is not needed
        return None
    token = new_short_link(session, locale=locale.code, draft_id=draft.id)
    return {"link": short_link_url(token)}


def init_app() -> None:
    sources.register("draft", sources.Source(values=_values))
