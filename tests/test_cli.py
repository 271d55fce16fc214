"""The portal command: migrations, demo data, staff accounts."""

import re
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from portal import db
from portal.appointments.models import Booking
from portal.audit.models import AuditEntry
from portal.cases.models import Case
from portal.profile import clock
from portal.security import verify_password
from portal.staff.models import StaffAccount
from tests.case_factory import make_case
from tests.conftest import FormFiller
from tests.test_booking import book


def _account(app, email):
    with app.app_context():
        return (
            db.get_session().scalars(select(StaffAccount).where(StaffAccount.email == email)).one()
        )


def test_db_upgrade_is_idempotent(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database at head." in result.output


def test_demo_load_prints_a_working_login(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Demo staff login"))
    email, password = line.split(": ", 1)[1].split(" / ")
    account = _account(app, email)
    assert account.role == "admin"
    assert account.password_hash.startswith("$argon2id$")
    with app.app_context():
        assert verify_password(account.password_hash, password)


def test_demo_cases_fill_an_empty_queue_once(app, runner, client):
    first = runner.invoke(args=["demo", "load"])
    assert "6 fictional demo cases added" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "demo cases" not in second.output
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(Case)) == 6
    line = next(line for line in second.output.splitlines() if "also caseworker" in line)
    email, password = line.split(": ", 1)[1].split(" / ")
    forms = FormFiller(client)
    assert forms.post("/staff/login", {"email": email, "password": password}).status_code == 302
    queue = client.get("/staff/cases/").get_data(as_text=True)
    assert "Amanuel Tesfay" in queue and "Kateryna Bondar" not in queue  # completed: not open
    reference = re.search(r'href="/staff/cases/(FG-[\w-]+)"', queue).group(1)
    assert client.get(f"/staff/cases/{reference}").status_code == 200


def _office_clock(monkeypatch, day: date) -> None:
    """The office's clock stands at 10:00 (Oslo, winter) on `day`."""
    moment = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: day)


def _demo_bookings(app) -> list[tuple[date, str, str, str | None]]:
    with app.app_context():
        bookings = db.get_session().scalars(select(Booking).order_by(Booking.starts_at)).all()
        return [
            (clock.utc(b.starts_at).date(), b.name, b.language, b.interpreter_language)
            for b in bookings
        ]


def test_demo_books_times_today_and_tomorrow_once(app, runner, client, monkeypatch):
    _office_clock(monkeypatch, date(2030, 1, 7))  # a Monday
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Demo bookings on Monday 7 January 2030 (today): 5 added" in first.output
    assert "Demo bookings on Tuesday 8 January 2030: 4 added" in first.output
    assert "closed today" not in first.output
    bookings = _demo_bookings(app)
    days = [day for day, *_ in bookings]
    assert days.count(date(2030, 1, 7)) == 5 and days.count(date(2030, 1, 8)) == 4
    assert {language for _d, _n, language, _i in bookings} >= {"uk", "ar", "ti", "so"}
    assert any(interpreter for *_, interpreter in bookings)  # someone needs an interpreter
    assert all(name.endswith(" Demo") for _d, name, _l, _i in bookings)  # clearly invented

    second = runner.invoke(args=["demo", "load"])  # idempotent, like the cases
    assert "Demo bookings on Monday 7 January 2030 (today): there already" in second.output
    assert len(_demo_bookings(app)) == 9

    # the front desk can try check-in on today's list
    line = next(line for line in second.output.splitlines() if "also reception" in line)
    email, password = line.split(": ", 1)[1].split(" / ")
    forms = FormFiller(client)
    assert forms.post("/staff/login", {"email": email, "password": password}).status_code == 302
    day_list = client.get("/staff/desk/").get_data(as_text=True)
    assert "Amanuel Demo" in day_list and "Kateryna Demo" not in day_list
    assert 'name="state" value="checked_in"' in day_list


def test_on_a_closed_day_the_demo_books_the_next_open_days_and_says_so(app, runner, monkeypatch):
    _office_clock(monkeypatch, date(2030, 1, 5))  # a Saturday
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "The office is closed today (Saturday 5 January 2030)" in result.output
    assert "Demo bookings on Monday 7 January 2030: 5 added" in result.output
    assert "/staff/desk/?day=2030-01-07" in result.output
    days = {day for day, *_ in _demo_bookings(app)}
    assert days == {date(2030, 1, 7), date(2030, 1, 8)}


def test_the_demo_adds_no_bookings_beside_real_ones(app, runner, monkeypatch):
    book(app)  # a real booking (its own clock)
    _office_clock(monkeypatch, date(2030, 1, 7))
    result = runner.invoke(args=["demo", "load"])
    assert "Demo bookings: none added (the database has real bookings or cases)" in result.output
    assert len(_demo_bookings(app)) == 1


def test_the_demo_adds_no_bookings_to_a_database_with_real_cases(app, runner, monkeypatch):
    make_case(app)  # someone's real registration: a closure would text the demo's numbers
    _office_clock(monkeypatch, date(2030, 1, 7))
    result = runner.invoke(args=["demo", "load"])
    assert "Demo bookings: none added (the database has real bookings or cases)" in result.output
    assert _demo_bookings(app) == []


def test_staff_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["staff", "create", "--email", "Kari@Example.org", "--name", "Kari Nordmann",
              "--role", "caseworker", "--department", "introduction", "--department", "settlement",
              "--password-stdin"],
        input="correct horse battery staple\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    account = _account(app, "kari@example.org")
    assert account.departments == ["introduction", "settlement"]
    with app.app_context():
        entry = db.get_session().scalars(select(AuditEntry)).one()
    assert (entry.action, entry.target_id) == ("staff_created", str(account.id))
    with app.app_context():
        assert verify_password(account.password_hash, "correct horse battery staple")
    assert "correct horse" not in result.output


def test_staff_create_refuses_bad_input(runner):
    base = ["staff", "create", "--email", "a@example.org", "--name", "A", "--password-stdin"]
    short = runner.invoke(args=[*base, "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "12 characters" in short.output
    unknown = runner.invoke(
        args=[*base, "--role", "caseworker", "--department", "kval9"], input="x" * 16 + "\n"
    )
    assert unknown.exit_code != 0 and "unknown department" in unknown.output
    homeless = runner.invoke(args=[*base, "--role", "caseworker"], input="x" * 16 + "\n")
    assert homeless.exit_code != 0 and "needs a department" in homeless.output
    common = runner.invoke(args=[*base, "--role", "admin"], input="Passord2026!!\n")
    assert common.exit_code != 0 and "too common" in common.output


def test_closures_from_the_command_line_are_in_the_audit_log(app, runner):
    """The command line uses the same closure rules as the staff pages, audit entry included."""
    from tests.conftest import audit_rows

    added = runner.invoke(args=["closures", "add", "--from", "2030-01-07", "--reason", "Staff day"])
    assert added.exit_code == 0, added.output
    closure_id = added.output.split()[1].rstrip(":")
    assert runner.invoke(args=["closures", "remove", closure_id]).exit_code == 0
    entries = audit_rows(app)
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("closure_added", None, closure_id), ("closure_removed", None, closure_id),
    ]  # fmt: skip
    assert (
        entries[0].details["by"] == "command line" and entries[0].details["reason"] == "Staff day"
    )
