"""The portal command: migrations, demo data, staff accounts."""

import re

from sqlalchemy import func, select

from portal import db
from portal.audit.models import AuditEntry
from portal.cases.models import Case
from portal.security import verify_password
from portal.staff.models import StaffAccount
from tests.conftest import FormFiller


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
