"""Demo data for `make run`: staff accounts with fresh random passwords, a few fictional cases
so the queue has something in it, and fictional bookings on the next two open days (today when
the office is open) so the front desk's day list and check-in can be tried. Every name and
number here is invented."""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.appointments import closures
from portal.appointments.models import Booking, DeskReservation
from portal.appointments.slots import day_start_times, is_closed
from portal.cases.models import Case
from portal.cases.services import open_case
from portal.cases.workflow import add_note, change_status, send_message
from portal.links.references import new_reference
from portal.links.tokens import new_token, token_hash
from portal.profile import Profile, clock
from portal.registration.models import Registration
from portal.staff.services import create_or_update_account

DEMO_ADMIN_EMAIL = "demo.admin@example.org"
DEMO_CASEWORKER_EMAIL = "demo.caseworker@example.org"
DEMO_RECEPTION_EMAIL = "demo.reception@example.org"

# (applicant, locale, languages spoken, interpreter's language tag, days until due, status)
# — invented people.
DEMO_CASES = (
    ("Olena Kovalenko", "uk", "Ukrainian", "uk", 9, "received"),
    ("Amanuel Tesfay", "ti", "Tigrinya", "ti", -2, "in_review"),
    ("Fatima Al-Hassan", "ar", "Arabic", "ar", 3, "waiting_for_applicant"),
    ("Mohammad Rahimi", "fa-af", "Dari", "fa-AF", 12, "received"),
    ("Hodan Warsame", "so", "Somali, English", None, -6, "received"),
    ("Kateryna Bondar", "uk", "Ukrainian, English", None, 20, "completed"),
)


# (name, phone, language booked in, interpreter's language tag, interpreter mode, people, e-mail),
# one list per demo day, in the order of the day's times. Names end in "Demo"; the phones are
# one invented run (+47 400 00 1xx) that the demo recognises as its own.
DEMO_BOOKINGS = (
    (
        ("Olena Demo", "+4740000101", "uk", None, None, 1, None),
        ("Amanuel Demo", "+4740000102", "ti", "ti", "on_site", 2, None),
        ("Fatima Demo", "+4740000103", "ar", "ar", "phone", 1, None),
        ("Hodan Demo", "+4740000104", "so", None, None, 1, "hodan.demo@example.org"),
        ("Mohammad Demo", "+4740000105", "fa-af", "fa-AF", "on_site", 3, None),
    ),
    (
        ("Kateryna Demo", "+4740000106", "uk", None, None, 1, None),
        ("Yonas Demo", "+4740000107", "ti", "ti", "on_site", 1, None),
        ("Sara Demo", "+4740000108", "en", None, None, 1, "sara.demo@example.org"),
        ("Ali Demo", "+4740000109", "ar", None, None, 2, None),
    ),
)
DEMO_PHONES = {entry[1] for day in DEMO_BOOKINGS for entry in day}
# Which of a day's start times the demo books (spread over the day; fewer on a short day).
TIME_POSITIONS = (0, 2, 3, 6, 9)


@dataclass
class DemoDay:
    day: date
    added: int  # 0: the day had its demo bookings already


@dataclass
class DemoBookings:
    today_open: bool
    days: list[DemoDay]
    skipped: bool = False  # real bookings exist: the demo adds none


def _open_days(session: Session, profile: Profile, count: int) -> list[date]:
    """The next `count` days the office is open, today included, by the profile's hours,
    public holidays and closures."""
    today = clock.today()
    found: list[date] = []
    for offset in range(60):
        day = today + timedelta(days=offset)
        if day_start_times(profile, day) and not is_closed(day, closures.spans(session, day, day)):
            found.append(day)
            if len(found) == count:
                break
    return found


def _unused_booking_reference(session: Session) -> str:
    while True:
        reference = new_reference("TB")
        if session.scalar(select(Booking.id).where(Booking.reference == reference)) is None:
            return reference


def _book_demo_day(session: Session, profile: Profile, day: date, entries) -> int:
    """The demo bookings of one day, each at a free desk; none when the day has them already."""
    starts = [moment.astimezone(UTC) for moment in day_start_times(profile, day)]
    ends = starts[-1] + timedelta(minutes=profile.booking.slot_minutes)
    there = session.scalar(
        select(func.count()).select_from(Booking).where(
            Booking.phone.in_(DEMO_PHONES), Booking.starts_at >= starts[0],
            Booking.starts_at < ends,
        )
    )  # fmt: skip
    if there:
        return 0
    topics = profile.booking.topics
    added = 0
    for number, entry in enumerate(entries):
        name, phone, language, interpreter, mode, people, email = entry
        start = starts[min(TIME_POSITIONS[number], len(starts) - 1)]
        taken = set(
            session.scalars(select(DeskReservation.desk).where(DeskReservation.starts_at == start))
        )
        desk = next((d for d in range(1, profile.booking.desks + 1) if d not in taken), None)
        if desk is None:
            continue
        booking = Booking(
            reference=_unused_booking_reference(session), starts_at=start,
            topic=topics[number % len(topics)], name=name, phone=phone, email=email,
            people=people, language=language, interpreter_needed=interpreter is not None,
            interpreter_language=interpreter, interpreter_mode=mode,
            manage_token_hash=token_hash(new_token()), status="active",
        )  # fmt: skip
        booking.reservation = DeskReservation(starts_at=start, desk=desk)
        session.add(booking)
        session.flush()
        added += 1
    return added


def _demo_bookings(session: Session, profile: Profile) -> DemoBookings:
    """Fictional bookings on the next two open days (today and tomorrow when both are open),
    once per day; none at all once real bookings or cases exist (the caller commits)."""
    today_open = _open_days(session, profile, 1)[:1] == [clock.today()]
    real_bookings = session.scalar(
        select(func.count()).select_from(Booking).where(Booking.phone.not_in(DEMO_PHONES))
    )
    # A database that holds anything real gets no demo bookings: a closure's cancellation
    # would send their numbers a message.
    real_cases = session.scalar(
        select(func.count()).select_from(Case).where(Case.submission_key.not_like("demo:%"))
    )
    if real_bookings or real_cases:
        return DemoBookings(today_open, [], skipped=True)
    days = _open_days(session, profile, len(DEMO_BOOKINGS))
    return DemoBookings(
        today_open,
        [
            DemoDay(day, _book_demo_day(session, profile, day, entries))
            for day, entries in zip(days, DEMO_BOOKINGS, strict=False)
        ],
    )


def _answers(name: str, spoken: str, interpreter: str | None) -> dict:
    settled = (date.today() - timedelta(days=700)).isoformat()
    return {
        "eligibility": {"lived_here_under_five_years": "yes", "group": "refugee"},
        "registrant": {"role": "self", "name": name, "passport_name": name},
        "reference-person": {
            "full_name": name.split()[0] + " Demo", "national_id": "", "phone": "",
            "address": "Demoveien 1, 4006 Stavanger", "settled_on": settled,
        },
        "permit": {"application_date": "2025-02-01", "permit_date": "2025-09-01"},
        "language": {
            "languages": spoken, "interpreter_needed": "yes" if interpreter else "no",
            "interpreter_language": interpreter or "", "interpreter_language_other": "",
            "interpreter_dialect": "",
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
    for number, (name, locale, spoken, interpreter, due, status) in enumerate(DEMO_CASES):
        case = open_case(
            session, case_type="family_reunification", department=department, locale=locale,
            submission_key=f"demo:{number}", status_token=new_token(), due_in_days=0,
        )  # fmt: skip
        case.due_date = clock.today() + timedelta(days=due)
        case.applicant_name = name
        case.interpreter_language = interpreter
        session.add(
            Registration(
                case=case,
                answers=_answers(name, spoken, interpreter),
                interpreter_language=interpreter,
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
    """Create or reset the demo accounts (new passwords each time), into an empty database a
    few fictional cases, and fictional bookings on the next two open days (each day once);
    return the logins and what was added, to print."""
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
    bookings = _demo_bookings(session, profile)
    session.commit()
    return {"email": DEMO_ADMIN_EMAIL, "password": logins["admin"][1], "logins": logins,
            "cases": cases, "bookings": bookings, "url": "http://127.0.0.1:8000/staff/"}  # fmt: skip
