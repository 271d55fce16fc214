"""What the staff sign-in tests share: reading pages and rows, clocks that move or stand still,
an app that asks for the second factor, and an account enrolled through the pages."""

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from portal import db
from portal.profile import clock
from portal.staff.models import StaffAccount
from tests.conftest import FrozenClock, StaffLogin, audit_rows

LOGIN_FAILED = "The email address or password is wrong"
CODE_REFUSED = "The code is wrong or was already used"
NEW_PASSWORD = "a river of quiet lanterns"
ERROR_SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)
RECOVERY_CODE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def text(response) -> str:
    return response.get_data(as_text=True)


def where(response) -> str:
    """The path (and query) a redirect points to."""
    assert response.status_code in (302, 303), (response.status_code, text(response)[:500])
    parts = urlsplit(response.location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def redirect_path(response) -> str:
    return urlsplit(where(response)).path


def account_row(app, account_id) -> StaffAccount:
    with app.app_context():
        return db.get_session().get(StaffAccount, account_id)


def set_account(app, account_id, **values) -> None:
    with app.app_context():
        session = db.get_session()
        session.execute(update(StaffAccount).where(StaffAccount.id == account_id).values(**values))
        session.commit()


def reasons(app) -> list[str]:
    return [row.details["reason"] for row in audit_rows(app, "login_failed")]


ANY_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def log_out(client):
    """The "Log out" button in the staff header (conftest's StaffLogin.logout looks for a token
    in attribute order name-type-value, which the header's form does not use)."""
    token = ANY_CSRF_INPUT.search(text(client.get("/staff/account"))).group(1)
    return client.post("/staff/logout", data={"csrf_token": token})


def is_logged_in(client) -> bool:
    return client.get("/staff/account").status_code == 200


def aware(moment: datetime) -> datetime:
    return clock.utc(moment)


@pytest.fixture
def totp_app(make_app):
    return make_app(STAFF_TOTP_REQUIRED=True)


@pytest.fixture
def totp_staff(totp_app) -> StaffLogin:
    return StaffLogin(totp_app, totp_app.test_client())


def new_login(staff: StaffLogin) -> StaffLogin:
    """The same app, another browser (no cookies)."""
    return StaffLogin(staff.app, staff.app.test_client())


def enrol(staff: StaffLogin, frozen: FrozenClock):
    """An account that set up its authenticator through the pages; the browser is then logged out
    and the clock moved to the next time step. Returns (id, email, secret, recovery codes)."""
    account_id, email = staff.account("caseworker")
    assert redirect_path(staff.login(email)) == "/staff/login/enrol"
    staff.client.get("/staff/login/enrol")
    secret = account_row(staff.app, account_id).totp_secret
    response = staff.forms.post("/staff/login/enrol", {"code": frozen.code(secret)})
    codes = RECOVERY_CODE.findall(text(response))
    assert response.status_code == 200 and len(codes) == 10
    staff.client = staff.forms.client = staff.app.test_client()  # a fresh browser
    staff.english(staff.client)
    frozen.forward(seconds=30)
    return account_id, email, secret, codes


PASSWORD_PAGE = "/staff/account/password"


def change_password(staff, current, new, repeat=None):
    return staff.forms.post(
        PASSWORD_PAGE,
        {"current_password": current, "new_password": new, "repeat_password": repeat or new},
    )
