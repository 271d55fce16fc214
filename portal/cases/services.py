"""Rules for cases: references, status links, creation with a first timeline event."""

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cases import submissions, workflow
from portal.cases.models import Case, CaseEvent
from portal.links.references import new_reference
from portal.links.retired import replace_links
from portal.links.short_links import short_link_target
from portal.links.tokens import looks_like_token, token_hash
from portal.profile import clock
from portal.security import masking

REFERENCE_PREFIXES = {"family_reunification": "FG"}
# The browser that holds a status link keeps it in this cookie (exchanged from the link, or set
# by the registration's submit): HttpOnly, so the token stays out of addresses and scripts.
STATUS_COOKIE = "case_status"
STATUS_COOKIE_MAX_AGE = 365 * 24 * 3600


def open_case(
    session: Session,
    *,
    case_type: str,
    department: str,
    locale: str,
    submission_key: str,
    status_token: str,
    due_in_days: int,
) -> Case:
    """Add a new case with status `received` and its first event (the caller commits)."""
    case = Case(
        reference=_unused_reference(session, case_type),
        type=case_type,
        status="received",
        department=department,
        due_date=clock.today() + timedelta(days=due_in_days),
        locale=locale,
        submission_key=submission_key,
        status_token_hash=token_hash(status_token),
    )
    case.events.append(CaseEvent(kind="received", status="received", visible_to_applicant=True))
    session.add(case)
    return case


def _unused_reference(session: Session, case_type: str) -> str:
    while True:
        reference = new_reference(REFERENCE_PREFIXES[case_type])
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return reference


def case_for_status_token(
    session: Session, token: str | None, *, for_update: bool = False
) -> Case | None:
    """The case a private status link belongs to; None for anything else. `for_update` locks the
    row (PostgreSQL) while the applicant's answer is written."""
    if not looks_like_token(token):
        return None
    query = select(Case).where(Case.status_token_hash == token_hash(token))
    case = session.scalars(query.with_for_update() if for_update else query).first()
    if case is None:  # a short link from a text message opens the same page
        case_id = short_link_target(session, token, "case_id")
        if case_id is not None:
            query = select(Case).where(Case.id == case_id)
            case = session.scalars(query.with_for_update() if for_update else query).first()
    return case


def case_by_reference(session: Session, reference: str) -> Case | None:
    """The case, its row locked until the commit (PostgreSQL), for replacing its link."""
    query = select(Case).where(Case.reference == reference).with_for_update()
    return session.scalars(query).first()


def new_status_link(session: Session, case: Case) -> str:
    """The old status link, its short links and the cookies holding them stop working; the new
    link is only ever sent as a short link. Returns a key that tells this renewal's messages
    apart (the caller commits)."""
    _token, case.status_token_hash = replace_links(session, case.status_token_hash, case_id=case.id)
    return case.status_token_hash[:16]


def case_by_submission_key(session: Session, key: str) -> Case | None:
    return session.scalars(select(Case).where(Case.submission_key == key)).first()


def applicant_timeline(session: Session, case: Case) -> list[CaseEvent]:
    """What the applicant sees of the timeline (no notes, no staff names), newest first."""
    query = select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.visible_to_applicant)
    return list(session.scalars(query.order_by(CaseEvent.id.desc())))


def waiting_question(case: Case, timeline: list[CaseEvent]) -> CaseEvent | None:
    """The caseworker's latest message while the applicant has not answered it since (and can
    still answer): the one thing the status page shows first. `timeline` is newest first."""
    if not workflow.can_answer(case):
        return None
    for event in timeline:
        if event.kind == "applicant_message":
            return None
        if event.kind == "message_to_applicant":
            return event
    return None


@dataclass
class StatusPage:
    """What the applicant's status page shows."""

    case: Case
    timeline: list[CaseEvent]  # newest first
    question: CaseEvent | None  # a message from the caseworker that waits for an answer
    sections: list  # what the applicant sent, as the check page showed it (read-only)
    can_answer: bool


def status_page(session: Session, case: Case) -> StatusPage:
    timeline = applicant_timeline(session, case)
    return StatusPage(
        case=case,
        timeline=timeline,
        question=waiting_question(case, timeline),
        sections=_masked(submissions.sections(session, case)),
        can_answer=workflow.can_answer(case),
    )


def _masked(sections: list) -> list:
    """The answers as the status page shows them: numbers that identify someone (national
    identity and UDI numbers), phone numbers and e-mail addresses only by their last characters.
    The link to the page travels by SMS and lives for the whole case; the person sees enough to
    recognise their answers, and staff have them in full."""
    for section in sections:
        section.rows = [
            replace(row, answer=masking.masked(row.answer)) if row.ltr else row
            for row in section.rows
        ]
    return sections


def answer(session: Session, case: Case, text: str) -> bool:
    """The applicant writes back from the status page, committed. False when the case was closed
    while the page was open (nothing is written)."""
    if not workflow.can_answer(case):
        return False
    workflow.applicant_answer(case, text)
    session.commit()
    return True
