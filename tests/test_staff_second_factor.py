"""The second factor: enrolment with an inline QR code, codes used once, recovery codes, the
pending step's expiry, and wrong codes counted towards the lockout."""

import re
import time
from types import SimpleNamespace

from sqlalchemy import select

from portal import db
from portal.staff import session as staff_session
from portal.staff.models import RecoveryCode
from tests.conftest import CSRF_INPUT, STAFF_PASSWORD, StaffLogin, audit_rows
from tests.staff_signin import (  # noqa: F401 - fixtures among them
    CODE_REFUSED,
    RECOVERY_CODE,
    account_row,
    enrol,
    is_logged_in,
    new_login,
    reasons,
    redirect_path,
    text,
    totp_app,
    totp_staff,
    where,
)


# --- 4. TOTP -----------------------------------------------------------------------------------
def test_first_login_enrols_with_an_inline_qr_code(totp_app, totp_staff, frozen):
    account_id, email = totp_staff.account("caseworker")
    client = totp_staff.client
    assert where(totp_staff.login(email)) == "/staff/login/enrol"
    assert not is_logged_in(client)
    assert audit_rows(totp_app, "login_succeeded") == []

    page = text(client.get("/staff/login/enrol"))
    secret = account_row(totp_app, account_id).totp_secret
    assert re.search(r"<svg[^>]*>", page) and "<title" in page
    assert "<img" not in page and "<script" not in page.lower()
    assert re.search(r"""(src|href)=["']https?:""", page) is None
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    client.get("/staff/login/enrol")  # a reload shows the same key
    assert account_row(totp_app, account_id).totp_secret == secret

    wrong = str((int(frozen.code(secret)) + 1) % 1_000_000).zfill(6)
    response = totp_staff.forms.post("/staff/login/enrol", {"code": wrong})
    assert response.status_code == 400 and "does not match" in text(response)
    assert not account_row(totp_app, account_id).totp_enrolled
    assert not is_logged_in(client)

    response = totp_staff.forms.post("/staff/login/enrol", {"code": frozen.code(secret)})
    assert response.status_code == 200
    codes = RECOVERY_CODE.findall(text(response))
    assert len(set(codes)) == 10
    assert 'href="/staff/cases/"' in text(response)
    assert is_logged_in(client)
    assert account_row(totp_app, account_id).totp_enrolled
    with totp_app.app_context():
        stored = db.get_session().scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert [row.action for row in audit_rows(totp_app)] == ["totp_enrolled", "login_succeeded"]

    # Shown once: coming back neither shows them again nor starts a new secret.
    response = client.get("/staff/login/enrol")
    assert not RECOVERY_CODE.search(text(response))
    row = account_row(totp_app, account_id)
    assert row.totp_enrolled and row.totp_secret == secret


def test_enrolment_page_visited_again_keeps_the_second_factor(totp_app, totp_staff, frozen):
    """A logged-in, enrolled account that opens the enrolment page (a link, a bookmark) must not
    lose its second factor: otherwise the next login with the password alone could enrol a new
    phone."""
    account_id, email, secret, _ = enrol(totp_staff, frozen)
    response = totp_staff.forms.post("/staff/login", {"email": email, "password": STAFF_PASSWORD})
    totp_staff.forms.post(where(response), {"code": frozen.code(secret)})
    assert is_logged_in(totp_staff.client)

    response = totp_staff.client.get("/staff/login/enrol")
    assert where(response) == "/staff/account"
    row = account_row(totp_app, account_id)
    assert row.totp_enrolled and row.totp_secret == secret

    other = new_login(totp_staff)
    assert redirect_path(other.login(email)) == "/staff/login/code"


def _password_step(staff: StaffLogin, email: str, wanted: str | None = None) -> str:
    query = {"next": wanted} if wanted else {}
    response = staff.forms.post(
        "/staff/login", {"email": email, "password": STAFF_PASSWORD}, query_string=query
    )
    assert redirect_path(response) == "/staff/login/code"
    return where(response)


def test_code_step_then_replay_refused(totp_app, totp_staff, frozen):
    account_id, email, secret, _ = enrol(totp_staff, frozen)
    code_page = _password_step(totp_staff, email)

    # Only the password is done: no staff page yet.
    response = totp_staff.client.get("/staff/cases/")
    assert redirect_path(response) == "/staff/login"
    assert not is_logged_in(totp_staff.client)

    response = totp_staff.forms.post(code_page, {"code": frozen.code(secret)})
    assert where(response) == "/staff/cases/"
    assert is_logged_in(totp_staff.client)

    replay = new_login(totp_staff)
    code_page = _password_step(replay, email)
    response = replay.forms.post(code_page, {"code": frozen.code(secret)})
    assert response.status_code == 401 and CODE_REFUSED in text(response)
    assert not is_logged_in(replay.client)
    assert reasons(totp_app) == ["code"]


def test_an_older_code_is_refused_after_a_newer_one(totp_app, totp_staff, frozen):
    _, email, secret, _ = enrol(totp_staff, frozen)
    code_page = _password_step(totp_staff, email)
    newer = frozen.code(secret, steps=1)  # the phone's clock runs a little ahead
    assert redirect_path(totp_staff.forms.post(code_page, {"code": newer})) == "/staff/cases/"

    other = new_login(totp_staff)
    code_page = _password_step(other, email)
    response = other.forms.post(code_page, {"code": frozen.code(secret)})
    assert response.status_code == 401
    assert not is_logged_in(other.client)


def test_a_recovery_code_works_once(totp_app, totp_staff, frozen):
    account_id, email, _, codes = enrol(totp_staff, frozen)
    code_page = _password_step(totp_staff, email, wanted="/staff/account")
    response = totp_staff.forms.post(code_page, {"code": codes[3].upper().replace("-", " ")})
    assert where(response) == "/staff/account"
    page = text(totp_staff.client.get("/staff/account"))
    assert "You used a recovery code. 9 are left" in page
    assert "9 unused recovery codes" in page
    used = audit_rows(totp_app, "recovery_code_used")
    assert [(row.actor_id, row.details) for row in used] == [(account_id, {"left": 9})]

    other = new_login(totp_staff)
    code_page = _password_step(other, email)
    response = other.forms.post(code_page, {"code": codes[3]})
    assert response.status_code == 401 and CODE_REFUSED in text(response)
    assert not is_logged_in(other.client)


def test_the_pending_second_step_expires_after_five_minutes(
    totp_app, totp_staff, frozen, monkeypatch
):
    _, email, secret, _ = enrol(totp_staff, frozen)
    code_page = _password_step(totp_staff, email)
    real_time = time.time
    monkeypatch.setattr(staff_session, "time", SimpleNamespace(time=lambda: real_time() + 290))
    assert totp_staff.client.get(code_page).status_code == 200
    token = CSRF_INPUT.search(text(totp_staff.client.get(code_page))).group(1)

    monkeypatch.setattr(staff_session, "time", SimpleNamespace(time=lambda: real_time() + 301))
    response = totp_staff.client.post(
        code_page, data={"code": frozen.code(secret), "csrf_token": token}
    )
    assert redirect_path(response) == "/staff/login"
    assert "Log in again" in text(totp_staff.client.get(where(response)))
    assert not is_logged_in(totp_staff.client)


def test_wrong_codes_count_towards_the_lockout(totp_app, totp_staff, frozen):
    account_id, email, secret, _ = enrol(totp_staff, frozen)
    valid = {frozen.code(secret, steps) for steps in (-1, 0, 1)}
    wrong = next(code for code in ("123456", "654321", "111111") if code not in valid)
    code_page = _password_step(totp_staff, email)
    for _attempt in range(5):
        response = totp_staff.forms.post(code_page, {"code": wrong})
        assert response.status_code == 401
    assert account_row(totp_app, account_id).locked_until is not None
    assert len(audit_rows(totp_app, "login_locked")) == 1

    response = totp_staff.forms.post(code_page, {"code": frozen.code(secret)})
    assert redirect_path(response) == "/staff/login"
    assert not is_logged_in(totp_staff.client)
    assert new_login(totp_staff).login(email).status_code == 401
    assert reasons(totp_app) == ["code"] * 5 + ["locked", "locked"]


def test_the_code_page_without_a_password_step_sends_to_login(totp_staff):
    assert redirect_path(totp_staff.client.get("/staff/login/code")) == "/staff/login"
    assert redirect_path(totp_staff.client.get("/staff/login/enrol")) == "/staff/login"


def test_an_account_can_enrol_from_its_account_page(app, client, staff, frozen):
    """With TOTP not required (a demo), a logged-in person may still set it up; from then on the
    login asks for a code."""
    account_id = staff.as_role()
    assert "/staff/login/enrol" in text(client.get("/staff/account"))
    client.get("/staff/login/enrol")
    secret = account_row(app, account_id).totp_secret
    response = staff.forms.post("/staff/login/enrol", {"code": frozen.code(secret)})
    assert len(RECOVERY_CODE.findall(text(response))) == 10
    assert 'href="/staff/account"' in text(response)
    assert "10 unused recovery codes" in text(client.get("/staff/account"))
    assert [row.action for row in audit_rows(app)][-1] == "totp_enrolled"
    email = account_row(app, account_id).email
    assert redirect_path(new_login(staff).login(email)) == "/staff/login/code"


def test_new_recovery_codes_replace_the_old_ones(totp_app, totp_staff, frozen):
    account_id, email, secret, old_codes = enrol(totp_staff, frozen)
    code_page = _password_step(totp_staff, email)
    totp_staff.forms.post(code_page, {"code": frozen.code(secret)})
    response = totp_staff.forms.post(
        "/staff/account/recovery-codes", {}, token_from="/staff/account"
    )
    new_codes = RECOVERY_CODE.findall(text(response))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert [row.actor_id for row in audit_rows(totp_app, "recovery_codes_renewed")] == [account_id]

    other = new_login(totp_staff)
    response = other.forms.post(_password_step(other, email), {"code": old_codes[0]})
    assert response.status_code == 401
    response = other.forms.post(_password_step(other, email), {"code": new_codes[0]})
    assert where(response) == "/staff/cases/"
