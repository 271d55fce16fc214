"""Demo data for `make run`: staff accounts with fresh random passwords, and a few fictional cases
so the queue has something in it. Every name and number here is invented."""

import secrets
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.cases.models import Case
from portal.cases.services import open_case
from portal.cases.workflow import add_note, change_status, send_message
from portal.links.tokens import new_token
from portal.profile import Profile, clock
from portal.registration.models import Registration
from portal.staff.services import create_or_update_account

DEMO_ADMIN_EMAIL = "demo.admin@example.org"
DEMO_CASEWORKER_EMAIL = "demo.caseworker@example.org"
DEMO_RECEPTION_EMAIL = "demo.reception@example.org"

# (applicant, locale, interpreter, days until due, status) — invented people.
DEMO_CASES = (
    ("Olena Kovalenko", "uk", "Ukrainian", 9, "received"),
    ("Amanuel Tesfay", "ti", "Tigrinya", -2, "in_review"),
    ("Fatima Al-Hassan", "ar", "Arabic", 3, "waiting_for_applicant"),
    ("Mohammad Rahimi", "fa-af", "Dari", 12, "received"),
    ("Hodan Warsame", "so", None, -6, "received"),
    ("Kateryna Bondar", "uk", None, 20, "completed"),
)


def _answers(name: str, interpreter: str | None) -> dict:
    settled = (date.today() - timedelta(days=700)).isoformat()
    return {
        "eligibility": {"lived_here_under_five_years": "yes", "group": "refugee"},
        "registrant": {"role": "self", "name": name},
        "reference-person": {
            "full_name": name.split()[0] + " Demo", "national_id": "", "phone": "",
            "address": "Demoveien 1, 4006 Stavanger", "settled_on": settled,
        },
        "permit": {"application_date": "2025-02-01", "permit_date": "2025-09-01"},
        "language": {
            "languages": interpreter or "Norsk", "interpreter_needed": "yes" if interpreter else "no",
            "interpreter_language": interpreter or "", "interpreter_dialect": "",
        },
        "contact": {"phone": "+47 400 00 000", "email": "", "preferred_channel": "sms"},
        "family_members": [{
            "passport_name": "Demo Child", "native_name": "", "birth_date": "2016-05-04",
            "relationship": "child", "citizenship": "", "duf_number": "", "national_id": "",
            "arrival_date": (date.today() - timedelta(days=20)).isoformat(),
        }],
    }  # fmt: skip


def _demo_cases(session: Session, profile: Profile, caseworker) -> int:
    if session.scalar(select(func.count()).select_from(Case)):
        return 0  # there are cases already: never add demo cases to real data
    department = profile.route("family_reunification")
    for number, (name, locale, interpreter, due, status) in enumerate(DEMO_CASES):
        case = open_case(
            session, case_type="family_reunification", department=department, locale=locale,
            submission_key=f"demo:{number}", status_token=new_token(), due_in_days=0,
        )  # fmt: skip
        case.due_date = clock.today() + timedelta(days=due)
        case.applicant_name = name
        case.interpreter_language = interpreter
        session.add(
            Registration(
                case=case, answers=_answers(name, interpreter), interpreter_language=interpreter
            )
        )
        if status != "received":
            change_status(case, "in_review", caseworker)
            case.assignee_id = caseworker.id
        if status == "waiting_for_applicant":
            add_note(case, "Demo: the permit date is missing from the papers.", caseworker)
            send_message(
                case,
                "Hei! Kan du ta med oppholdstillatelsen til oss? Hello! Please bring your residence permit.",
                caseworker,
            )
            change_status(case, "waiting_for_applicant", caseworker)
        elif status == "completed":
            change_status(case, "completed", caseworker)
    return len(DEMO_CASES)


def load_demo_data(session: Session, profile: Profile) -> dict:
    """Create or reset the demo accounts (new passwords each time) and, into an empty database,
    a few fictional cases; return the logins to print."""
    logins = {}
    department = profile.route("family_reunification")
    for email, name, role, departments in (
        (DEMO_ADMIN_EMAIL, "Demo Administrator", "admin", []),
        (DEMO_CASEWORKER_EMAIL, "Demo Saksbehandler", "caseworker", [department]),
        (DEMO_RECEPTION_EMAIL, "Demo Resepsjon", "reception", []),
    ):
        password = secrets.token_urlsafe(12)
        account = create_or_update_account(
            session, profile, email=email, name=name, role=role, departments=departments, password=password,
        )  # fmt: skip
        logins[role] = (email, password)
        session.flush()
        if role == "caseworker":
            caseworker = account
    cases = _demo_cases(session, profile, caseworker)
    session.commit()
    return {"email": DEMO_ADMIN_EMAIL, "password": logins["admin"][1], "logins": logins,
            "cases": cases, "url": "http://127.0.0.1:8000/staff/"}  # fmt: skip
