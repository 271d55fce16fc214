"""What a family-reunification case was made from, for the case pages (see cases/submissions.py):
the answers as sections, and the contacts the applicant gave."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cases import submissions
from portal.cases.models import Case
from portal.registration import messages
from portal.registration.models import Registration
from portal.registration.services import CASE_TYPE
from portal.registration.summary import submitted_sections


def _answers(session: Session, case: Case) -> dict | None:
    registration = session.scalars(
        select(Registration).where(Registration.case_id == case.id)
    ).first()
    return registration.answers if registration else None


def _sections(session: Session, case: Case) -> list:
    answers = _answers(session, case)
    return submitted_sections(answers) if answers else []


def _contacts(session: Session, case: Case) -> list[tuple[str, str]]:
    return messages.contacts(_answers(session, case) or {})


def init_app() -> None:
    submissions.register(
        CASE_TYPE,
        submissions.Submission(sections=_sections, contacts=_contacts, stored_in=Registration),
    )
