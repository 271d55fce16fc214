"""Staff login: password, lockout, TOTP and recovery codes, password changes, sessions, language.

Assertions are on what a person (or an attacker) sees: status codes, redirect targets, page
structure, database rows and audit entries. Page text is matched only where the message is the
point, and in English (the Norwegian staff catalog is not written yet)."""

import re
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from portal import clock, db
from portal.audit.models import AuditEntry
from portal.staff import services
from portal.staff import session as staff_session
from portal.staff.models import RecoveryCode, StaffAccount
from tests.conftest import CSRF_INPUT, STAFF_PASSWORD, StaffLogin

LOGIN_FAILED = "The email address or password is wrong"
CODE_REFUSED = "The code is wrong or was already used"
NEW_PASSWORD = "a river of quiet lanterns"
ERROR_SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)
RECOVERY_CODE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


# --- helpers -------------------------------------------------------------------------------------
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


def audit_rows(app, action=None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(db.get_session().scalars(query))


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


class MovedTime:
    """Moves the clocks the login code reads: portal.staff.session's time.time (session ages,
    the pending second step) and portal.clock.now (lockout, TOTP codes), together."""

    def __init__(self, monkeypatch):
        self.offset = 0.0
        real_time, real_now = time.time, clock.now
        monkeypatch.setattr(
            staff_session, "time", SimpleNamespace(time=lambda: real_time() + self.offset)
        )
        monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(seconds=self.offset))

    def forward(self, **delta) -> None:
        self.offset += timedelta(**delta).total_seconds()


@pytest.fixture
def later(monkeypatch) -> MovedTime:
    return MovedTime(monkeypatch)


class FrozenClock:
    """clock.now stands still (so TOTP steps are exact) until moved; the middle of a 30 s step."""

    def __init__(self, monkeypatch):
        self.moment = datetime.fromtimestamp(int(time.time()) // 30 * 30 + 15, UTC)
        monkeypatch.setattr(clock, "now", lambda: self.moment)

    def forward(self, **delta) -> None:
        self.moment += timedelta(**delta)

    def code(self, secret: str, steps: int = 0) -> str:
        """The code of the current time step, or `steps` later (negative: earlier)."""
        return pyotp.TOTP(secret).at(self.moment + timedelta(seconds=30 * steps))


@pytest.fixture
def frozen(monkeypatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


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


# --- 5. passwords ------------------------------------------------------------------------------
def test_passwords_are_argon2id_and_rehashed_when_the_parameters_change(app, make_app, staff):
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


PASSWORD_PAGE = "/staff/account/password"


def _change(staff, current, new, repeat=None):
    return staff.forms.post(
        PASSWORD_PAGE,
        {"current_password": current, "new_password": new, "repeat_password": repeat or new},
    )


def _password_inputs_empty(page: str) -> bool:
    values = re.findall(r'<input[^>]*type="password"[^>]*value="([^"]*)"', page)
    return len(values) == 3 and values == ["", "", ""]


def test_change_password_refuses_a_wrong_current_password(app, staff):
    staff.as_role("caseworker")
    response = _change(staff, "not my password at all", NEW_PASSWORD)
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
    response = _change(staff, STAFF_PASSWORD, STAFF_PASSWORD)
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
    response = _change(staff, STAFF_PASSWORD, new_password)
    page = text(response)
    assert response.status_code == 400
    assert re.search(rf'id="new_password-error".*{message}', page)
    assert _password_inputs_empty(page) and new_password not in page
    assert account_row(app, account_id).password_hash.startswith("$argon2id$")
    assert redirect_path(new_login(staff).login(email)) == "/staff/cases/"  # unchanged


def test_change_password_refuses_two_different_new_passwords(staff):
    staff.as_role()
    response = _change(staff, STAFF_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + " too")
    assert response.status_code == 400
    assert 'id="repeat_password-error"' in text(response)


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, client, staff):
    account_id, email = staff.account()
    elsewhere = new_login(staff)
    elsewhere.login(email)
    staff.login(email)
    assert is_logged_in(elsewhere.client) and is_logged_in(client)

    response = _change(staff, STAFF_PASSWORD, NEW_PASSWORD)
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
    assert where(_change(staff, STAFF_PASSWORD, NEW_PASSWORD)) == "/staff/account"
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

    assert where(_change(staff, STAFF_PASSWORD, NEW_PASSWORD)) == "/staff/account"
    assert is_logged_in(client)
    assert not account_row(app, account_id).must_change_password


# --- 8. language -------------------------------------------------------------------------------
def test_staff_pages_are_norwegian_by_default_and_switch_to_english(client):
    assert '<html lang="nb"' in text(client.get("/staff/login"))
    response = client.get("/staff/language/en?next=/staff/login")
    assert where(response) == "/staff/login"
    assert '<html lang="en"' in text(client.get("/staff/login"))
    client.get("/staff/language/nb?next=/staff/login")
    assert '<html lang="nb"' in text(client.get("/staff/login"))


@pytest.mark.parametrize(
    "outside",
    [
        "https://evil.example/",
        "//evil.example/staff/",
        "/en/",
        "/\\evil.example",
        "/staff/login\r\nSet-Cookie: planted=1",
    ],
)
def test_the_language_switch_ignores_an_outside_next(client, outside):
    response = client.get("/staff/language/en", query_string={"next": outside})
    assert where(response) == "/staff/"


def test_an_unknown_staff_language_is_ignored(client):
    assert where(client.get("/staff/language/xx?next=/staff/login")) == "/staff/"
    assert '<html lang="nb"' in text(client.get("/staff/login"))


# --- 9. headers --------------------------------------------------------------------------------
def test_staff_pages_are_never_cached_and_carry_the_csp(client, staff):
    pages = [client.get("/staff/login")]
    _, email = staff.account()
    session_cookie = staff.login(email).headers["Set-Cookie"]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    pages.append(client.get("/staff/account"))
    for response in pages:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
