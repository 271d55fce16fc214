"""Passwords (argon2id, rehashing, changing one's own) and sessions (idle and absolute limits,
logout and deactivation ending them on the server)."""

import re

import pytest
from argon2 import PasswordHasher

from tests.conftest import STAFF_PASSWORD, StaffLogin, audit_rows
from tests.staff_signin import (  # noqa: F401 - fixtures among them
    NEW_PASSWORD,
    PASSWORD_PAGE,
    account_row,
    change_password,
    is_logged_in,
    log_out,
    new_login,
    reasons,
    redirect_path,
    set_account,
    text,
    where,
)


# --- 5. passwords ------------------------------------------------------------------------------
def test_passwords_are_argon2id_and_rehashed_when_the_parameterschange_password(
    app, make_app, staff
):
    account_id, email = staff.account()
    cheap_hash = account_row(app, account_id).password_hash
    assert cheap_hash.startswith("$argon2id$")

    strong_app = make_app(ARGON2_CHEAPEST=False)
    strong = StaffLogin(strong_app, strong_app.test_client())
    assert redirect_path(strong.login(email)) == "/staff/cases/"

    new_hash = account_row(app, account_id).password_hash
    assert new_hash.startswith("$argon2id$")
    assert new_hash.split("$")[3] != cheap_hash.split("$")[3]  # m=…,t=…,p=…
    assert not PasswordHasher().check_needs_rehash(new_hash)
    assert redirect_path(new_login(strong).login(email)) == "/staff/cases/"


def _password_inputs_empty(page: str) -> bool:
    values = re.findall(r'<input[^>]*type="password"[^>]*value="([^"]*)"', page)
    return len(values) == 3 and values == ["", "", ""]


def test_change_password_refuses_a_wrong_current_password(app, staff):
    staff.as_role("caseworker")
    response = change_password(staff, "not my password at all", NEW_PASSWORD)
    page = text(response)
    assert response.status_code == 400
    assert re.search(r'id="current_password-error".*The current password is wrong', page)
    assert _password_inputs_empty(page)
    assert "not my password" not in page and NEW_PASSWORD not in page
    assert audit_rows(app, "password_changed") == []
    # counted like a wrong login, so a borrowed session cannot try passwords without limit
    assert reasons(app) == ["current_password"]


def test_change_password_refuses_keeping_the_same_password(app, staff):
    account_id = staff.as_role("caseworker")
    before = account_row(app, account_id).password_hash
    response = change_password(staff, STAFF_PASSWORD, STAFF_PASSWORD)
    assert response.status_code == 400
    assert re.search(r'id="new_password-error".*not the one you have now', text(response))
    assert account_row(app, account_id).password_hash == before


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("short one", "at least 12 characters"),
        ("Sommer2026!!", "too common"),
        ("passord12345", "too common"),
        ("123456789012", "too common"),
        ("Gunnhild rides bicycles", "must not contain your name"),
        ("my login is caseworker1", "must not contain your name"),
    ],
)
def test_change_password_refuses_weak_passwords_beside_the_field(app, staff, new_password, message):
    account_id, email = staff.account(name="Gunnhild Testesen")
    staff.login(email)
    response = change_password(staff, STAFF_PASSWORD, new_password)
    page = text(response)
    assert response.status_code == 400
    assert re.search(rf'id="new_password-error".*{message}', page)
    assert _password_inputs_empty(page) and new_password not in page
    assert account_row(app, account_id).password_hash.startswith("$argon2id$")
    assert redirect_path(new_login(staff).login(email)) == "/staff/cases/"  # unchanged


def test_change_password_refuses_two_different_new_passwords(staff):
    staff.as_role()
    response = change_password(staff, STAFF_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + " too")
    assert response.status_code == 400
    assert 'id="repeat_password-error"' in text(response)


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, client, staff):
    account_id, email = staff.account()
    elsewhere = new_login(staff)
    elsewhere.login(email)
    staff.login(email)
    assert is_logged_in(elsewhere.client) and is_logged_in(client)

    response = change_password(staff, STAFF_PASSWORD, NEW_PASSWORD)
    assert where(response) == "/staff/account"
    assert "Your password is changed." in text(client.get("/staff/account"))
    assert is_logged_in(client)
    assert not is_logged_in(elsewhere.client)
    assert [row.actor_id for row in audit_rows(app, "password_changed")] == [account_id]
    assert new_login(staff).login(email).status_code == 401
    assert redirect_path(new_login(staff).login(email, NEW_PASSWORD)) == "/staff/cases/"


def test_change_password_needs_a_login(client):
    assert redirect_path(client.get(PASSWORD_PAGE)) == "/staff/login"


# --- 6. sessions -------------------------------------------------------------------------------
def test_an_idle_session_expires_after_30_minutes(app, client, staff, later):
    account_id = staff.as_role()
    later.forward(minutes=29)
    assert is_logged_in(client)
    later.forward(minutes=31)
    response = client.get("/staff/account")
    assert where(response).startswith("/staff/login")
    assert "the session expired" in text(client.get(where(response)))
    assert not is_logged_in(client)
    assert [row.actor_id for row in audit_rows(app, "session_expired")] == [account_id]


def test_an_expired_cookie_sent_again_is_logged_once(app, client, staff, later):
    staff.as_role()
    old_cookie = client.get_cookie("session").value
    later.forward(minutes=31)
    for _ in range(5):
        replay = app.test_client()
        replay.set_cookie("session", old_cookie)
        assert where(replay.get("/staff/account")).startswith("/staff/login")
    assert len(audit_rows(app, "session_expired")) == 1


def test_a_session_ends_after_10_hours_even_when_active(app, client, staff, later):
    staff.as_role()
    for _step in range(29):  # every 20 minutes, for 9 hours 40 minutes
        later.forward(minutes=20)
        assert is_logged_in(client)
    later.forward(minutes=19)  # 9:59 (the test itself takes a few real seconds)
    assert is_logged_in(client)
    later.forward(minutes=2)
    assert not is_logged_in(client)
    assert len(audit_rows(app, "session_expired")) == 1


def test_changing_the_password_does_not_stretch_the_10_hours(app, client, staff, later):
    staff.as_role()
    for _step in range(15):  # five hours, active every 20 minutes
        later.forward(minutes=20)
        assert is_logged_in(client)
    assert where(change_password(staff, STAFF_PASSWORD, NEW_PASSWORD)) == "/staff/account"
    for _step in range(14):
        later.forward(minutes=20)
        assert is_logged_in(client)
    later.forward(minutes=19)  # 9:59 after the login
    assert is_logged_in(client)
    later.forward(minutes=2)
    assert not is_logged_in(client)


def test_logout_is_a_post_with_csrf(app, client, staff):
    staff.as_role()
    assert client.get("/staff/logout").status_code in (404, 405)  # /<lang>/<slug> takes GETs
    assert client.post("/staff/logout").status_code == 400
    assert is_logged_in(client)
    assert audit_rows(app, "logout") == []


def test_logout_ends_the_session_on_the_server(app, client, staff):
    account_id = staff.as_role()
    stolen = client.get_cookie("session").value
    response = log_out(client)
    assert where(response) == "/staff/login"
    assert "You are logged out." in text(client.get("/staff/login"))
    assert not is_logged_in(client)

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert redirect_path(replay.get("/staff/account")) == "/staff/login"
    assert [row.actor_id for row in audit_rows(app, "logout")] == [account_id]


def test_deactivation_ends_the_session(app, client, staff):
    account_id = staff.as_role()
    set_account(app, account_id, active=False)
    assert redirect_path(client.get("/staff/account")) == "/staff/login"


def test_anonymous_staff_pages_send_to_login_with_next(client):
    response = client.get("/staff/account")
    assert where(response) == "/staff/login?next=/staff/account"
    assert redirect_path(client.get("/staff/")) == "/staff/login"
