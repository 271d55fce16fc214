"""Cases for staff tests, made the way a submission makes them (a case and its registration)."""

import itertools
from datetime import timedelta

from portal import db
from portal.cases.services import open_case
from portal.links.tokens import new_token
from portal.profile import clock
from portal.registration.models import Registration
from tests.registration_data import STEPS

_serial = itertools.count(1)


def registration_answers(name: str) -> dict:
    answers = {key: dict(value) for key, value in STEPS.items() if "/" not in key}
    answers["registrant"]["name"] = name
    answers["family_members"] = [dict(STEPS["family-members/0"])]
    return answers


def make_case(
    app,
    *,
    department="settlement",
    name="Olena Petrenko",
    status="received",
    due_in_days=14,
    locale="uk",
    interpreter="Ukrainian",
    assignee_id=None,
    status_token=None,
) -> str:
    """Add a case; returns its reference."""
    with app.app_context():
        session = db.get_session()
        case = open_case(
            session,
            case_type="family_reunification",
            department=department,
            locale=locale,
            submission_key=f"test:{next(_serial)}:{new_token()[:8]}",
            status_token=status_token or new_token(),
            due_in_days=14,
        )
        case.due_date = clock.today() + timedelta(days=due_in_days)
        case.status = status
        case.applicant_name = name
        case.interpreter_language = interpreter
        case.assignee_id = assignee_id
        session.add(
            Registration(
                case=case,
                answers=registration_answers(name),
                interpreter_language=interpreter,
                family_member_count=1,
            )
        )
        session.commit()
        return case.reference
