"""Staff login with a password: where it leads, one message for every refusal, the lockout in
the database and the rate limit, and a temporary password that must be changed first."""

import re
from datetime import timedelta

import pytest

from portal import db
from portal.profile import clock
from portal.staff import services
from tests.conftest import CSRF_INPUT, STAFF_PASSWORD, StaffLogin, audit_rows
from tests.staff_signin import (  # noqa: F401 - fixtures among them
    ERROR_SUMMARY,
    LOGIN_FAILED,
    NEW_PASSWORD,
    PASSWORD_PAGE,
    account_row,
    aware,
    change_password,
    is_logged_in,
    new_login,
    reasons,
    redirect_path,
    set_account,
    text,
    where,
)


# --- 1. password login (TOTP off) --------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "departments", "home"),
    [
        ("caseworker", ("settlement",), "/staff/cases/"),
        ("admin", (), "/staff/cases/"),
        ("reception", (), "/staff/desk/"),
    ],
)
def test_password_login_goes_to_the_role_home(app, client, staff, role, departments, home):
    account_id, email = staff.account(role, departments)
    response = staff.login(email)
    assert where(response) == home
    assert is_logged_in(client)
    assert [row.actor_id for row in audit_rows(app, "login_succeeded")] == [account_id]
    assert account_row(app, account_id).last_login_at is not None


def test_login_starts_a_new_session_and_old_csrf_tokens_die(app, client, staff):
    """Session fixation: nothing set before login survives it, and Flask-WTF's raw token (kept in
    the session under "csrf_token") is replaced, so a form token from before login is refused."""
    _, email = staff.account()
    old_token = CSRF_INPUT.search(text(client.get("/staff/login"))).group(1)
    with client.session_transaction() as session:
        raw_before = session["csrf_token"]
        session["planted"] = "by an attacker"
    cookie_before = client.get_cookie("session").value

    assert redirect_path(staff.login(email)) == "/staff/cases/"

    assert client.get_cookie("session").value != cookie_before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != raw_before
    response = client.post("/staff/logout", data={"csrf_token": old_token})
    assert response.status_code == 400
    assert is_logged_in(client)
    assert audit_rows(app, "logout") == []


@pytest.mark.parametrize(
    ("wanted", "landing"),
    [
        ("/staff/account", "/staff/account"),
        ("https://evil.example/", "/staff/cases/"),
        ("//evil.example", "/staff/cases/"),
        ("//evil.example/staff/", "/staff/cases/"),
        ("/\\evil.example/staff/", "/staff/cases/"),
        ("/en/", "/staff/cases/"),
        ("/staff/account\r\nSet-Cookie: planted=1", "/staff/cases/"),
    ],
)
def test_next_is_honoured_only_for_staff_paths(staff, wanted, landing):
    _, email = staff.account()
    response = staff.forms.post(
        "/staff/login",
        {"email": email, "password": STAFF_PASSWORD},
        query_string={"next": wanted},
    )
    assert where(response) == landing


def test_login_page_keeps_the_email_but_never_the_password(staff):
    _, email = staff.account()
    page = text(staff.login(email, "not the right one at all"))
    assert f'value="{email}"' in page
    assert "not the right one at all" not in page
    assert re.search(r'name="password" type="password" value=""', page)


def test_login_with_missing_fields_is_refused(staff, client):
    response = staff.forms.post("/staff/login", {"email": "", "password": ""})
    assert response.status_code == 400
    assert 'id="email-error"' in text(response) and 'id="password-error"' in text(response)
    assert not is_logged_in(client)


# --- 2. one message for every refusal ----------------------------------------------------------
def _refuse(app, staff, case):
    account_id, email = staff.account()
    password = STAFF_PASSWORD
    if case == "unknown_account":
        email = "nobody@example.org"
    elif case == "password":
        password = "a wrong password of some length"
    elif case == "inactive":
        set_account(app, account_id, active=False)
    elif case == "locked":
        set_account(app, account_id, locked_until=clock.now() + timedelta(minutes=10))
    return account_id, staff.login(email, password)


@pytest.mark.parametrize("case", ["unknown_account", "password", "inactive", "locked"])
def test_every_refusal_looks_the_same_and_the_audit_log_tells_why(app, client, staff, case):
    account_id, response = _refuse(app, staff, case)
    reference = _refuse(app, new_login(staff), "password")[1]

    assert response.status_code == 401 == reference.status_code
    assert LOGIN_FAILED in text(response)
    assert ERROR_SUMMARY.search(text(response)).group(0) == (
        ERROR_SUMMARY.search(text(reference)).group(0)
    )
    assert not is_logged_in(client)
    first = audit_rows(app, "login_failed")[0]
    assert first.details == {"reason": case}
    assert first.actor_id == (None if case == "unknown_account" else account_id)
    assert audit_rows(app, "login_succeeded") == []


def test_every_refusal_checks_a_password_hash(app, staff, monkeypatch):
    """Unknown, wrong, inactive and locked all verify one argon2 hash, so the time a refusal takes
    does not tell which accounts exist or are locked."""
    calls = []
    real_verify = services.verify_password
    monkeypatch.setattr(
        services, "verify_password", lambda *args: calls.append(1) or real_verify(*args)
    )
    for case in ("unknown_account", "password", "inactive", "locked"):
        calls.clear()
        assert _refuse(app, staff, case)[1].status_code == 401
        assert len(calls) == 1, case


# --- 3. lockout in the database, rate limit ----------------------------------------------------
def test_five_wrong_passwords_lock_the_account_across_app_instances(
    app, make_app, client, staff, later
):
    """Two app instances on one database stand for two workers or hosts: the count and the lock
    live in the database, so spreading the guesses over them does not help."""
    other_app = make_app()
    other = StaffLogin(other_app, other_app.test_client())
    account_id, email = staff.account()

    for attempt in range(4):
        login = staff if attempt % 2 == 0 else other
        assert login.login(email, f"wrong password number {attempt}").status_code == 401
    row = account_row(app, account_id)
    assert row.failed_logins == 4 and row.locked_until is None

    assert other.login(email, "wrong password number 4").status_code == 401
    row = account_row(other_app, account_id)
    minutes = app.config["STAFF_LOCKOUT_MINUTES"]
    assert app.config["STAFF_LOCKOUT_ATTEMPTS"] == 5
    assert (
        clock.now() + timedelta(minutes=minutes - 1)
        < aware(row.locked_until)
        <= clock.now() + timedelta(minutes=minutes)
    )
    assert len(audit_rows(app, "login_locked")) == 1

    # The right password, on either instance, is refused with the usual message while locked.
    for login in (staff, other):
        response = login.login(email)
        assert response.status_code == 401 and LOGIN_FAILED in text(response)
    later.forward(minutes=minutes - 1)
    assert staff.login(email).status_code == 401
    assert reasons(app)[-3:] == ["locked", "locked", "locked"]

    later.forward(minutes=1, seconds=5)
    assert redirect_path(other.login(email)) == "/staff/cases/"
    row = account_row(app, account_id)
    assert row.failed_logins == 0 and row.locked_until is None
    assert len(audit_rows(app, "login_locked")) == 1


def test_lock_time_over_in_the_database_lets_the_right_password_in(app, client, staff):
    account_id, email = staff.account()
    for attempt in range(5):
        staff.login(email, f"wrong password number {attempt}")
    assert staff.login(email).status_code == 401
    set_account(app, account_id, locked_until=clock.now() - timedelta(seconds=1))
    assert redirect_path(staff.login(email)) == "/staff/cases/"
    assert is_logged_in(client)


def test_a_success_resets_the_count_of_failures(app, staff):
    account_id, email = staff.account()
    for attempt in range(4):
        staff.login(email, f"wrong password number {attempt}")
    assert redirect_path(staff.login(email)) == "/staff/cases/"
    assert account_row(app, account_id).failed_logins == 0
    other = new_login(staff)
    for attempt in range(4):
        other.login(email, f"wrong password number {attempt}")
    assert account_row(app, account_id).locked_until is None
    assert redirect_path(new_login(staff).login(email)) == "/staff/cases/"


def test_login_posts_are_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_LOGINS="3 per minute")
    staff = StaffLogin(app, app.test_client())
    _, email = staff.account()
    for attempt in range(3):
        assert staff.login(email, f"wrong password number {attempt}").status_code == 401
    assert staff.login(email).status_code == 429
    assert staff.client.get("/staff/login").status_code == 200  # reading the page is not limited


# --- 7. a temporary password must be changed ---------------------------------------------------
def test_a_temporary_password_must_be_changed_first(app, client, staff):
    with app.app_context():
        session = db.get_session()
        account = services.create_or_update_account(
            session,
            app.extensions["profile"],
            email="temp@example.org",
            name="Temporary Person",
            role="caseworker",
            departments=["settlement"],
            password=STAFF_PASSWORD,
            must_change_password=True,
        )
        session.commit()
        account_id = account.id
    staff.login("temp@example.org")
    for path in ("/staff/cases/", "/staff/account", "/staff/desk/"):
        assert where(client.get(path)) == PASSWORD_PAGE
    page = text(client.get(PASSWORD_PAGE))
    assert "temporary password" in page
    assert 'class="staff-nav"' not in page

    assert where(change_password(staff, STAFF_PASSWORD, NEW_PASSWORD)) == "/staff/account"
    assert is_logged_in(client)
    assert not account_row(app, account_id).must_change_password
