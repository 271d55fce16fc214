"""What a case was made from belongs to the feature that made it (a registration, later other
applications): that feature registers, for its type of case, how to read the applicant's answers
as sections for the case page and where the applicant's messages go. So cases/ reads a case's
submission without importing the feature that made it."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.cases.models import Case


@dataclass(frozen=True)
class Submission:
    # The answers, in the order they were asked: [(heading, [(question, answer, ltr)])].
    sections: Callable[[Session, Case], list]
    # The phone and e-mail the applicant gave: [("sms", "+47…"), ("email", "…")].
    contacts: Callable[[Session, Case], list[tuple[str, str]]]
    # The model that holds what was sent (a case_id column): retention deletes its rows with the
    # case's personal data.
    stored_in: type


_BY_CASE_TYPE: dict[str, Submission] = {}


def register(case_type: str, submission: Submission) -> None:
    _BY_CASE_TYPE[case_type] = submission


def sections(session: Session, case: Case) -> list:
    submission = _BY_CASE_TYPE.get(case.type)
    return submission.sections(session, case) if submission else []


def contacts(session: Session, case: Case) -> list[tuple[str, str]]:
    submission = _BY_CASE_TYPE.get(case.type)
    return submission.contacts(session, case) if submission else []


def models() -> list[type]:
    """Every model that holds what applicants sent, one per type of case."""
    return list({submission.stored_in for submission in _BY_CASE_TYPE.values()})
