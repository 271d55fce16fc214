"""The messages about a case (its receipt, "we wrote to you", a new status link): they go to the
contacts the feature that made the case gives, and say at sending time only the reference and a
short link to the status page (registered with the outbox worker, see notify/sources.py)."""

from sqlalchemy.orm import Session

from portal.cases.models import Case
from portal.i18n import PortalLocale
from portal.links.short_links import new_short_link
from portal.links.urls import short_link_url
from portal.notify import outbox, sources
from portal.notify.models import OutboxMessage


def received(session: Session, case: Case, to: list[tuple[str, str]]) -> None:
    outbox.enqueue(session, "registration_received", event=str(case.id), locale=case.locale,
                   contacts=to, case_id=case.id)  # fmt: skip


def caseworker_wrote(
    session: Session, case: Case, to: list[tuple[str, str]], event_id: int
) -> None:
    """ "We wrote to you", with a link: never the message itself (it may hold anything)."""
    outbox.enqueue(session, "caseworker_message", event=str(event_id), locale=case.locale,
                   contacts=to, case_id=case.id)  # fmt: skip


def status_link(session: Session, case: Case, to, *, event: str, public: bool) -> int:
    """A case's new status link, asked for by the applicant (public) or sent by a caseworker."""
    return outbox.enqueue(session, "status_link", event=f"{case.id}:{event}", locale=case.locale,
                          contacts=to, case_id=case.id, requested_by_public=public)  # fmt: skip


def _values(session: Session, message: OutboxMessage, locale: PortalLocale) -> dict | None:
    case = session.get(Case, message.case_id)
    if case is None:
        return None
    token = new_short_link(session, locale=locale.code, case_id=case.id)
    return {"reference": case.reference, "link": short_link_url(token)}


def init_app() -> None:
    sources.register("case", sources.Source(values=_values))
