"""The staff side in a real browser: log in with a TOTP code, triage a case and write to the
applicant, who answers from their status page; axe-core on every staff page in Norwegian and
English, at 320 and 1280 px; the whole login by keyboard."""

import itertools
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from portal import db
from portal.appointments.models import Booking, DeskReservation
from portal.links.tokens import new_token
from portal.profile import clock
from portal.staff.services import create_or_update_account
from tests.browser.test_registration_flow import audit, navigate
from tests.case_factory import make_case

PASSWORD = "lang og trygg passordfrase"
_serial = itertools.count(1)


def new_account(app, role="caseworker", departments=("settlement",), enrolled=False):
    """A fresh account (a TOTP code works once, so each test logs in with its own)."""
    email = f"browser-{role}-{next(_serial)}@example.org"
    with app.app_context():
        session = db.get_session()
        account = create_or_update_account(
            session, app.extensions["profile"], email=email, name=f"Test {role.title()}",
            role=role, departments=list(departments), password=PASSWORD,
        )  # fmt: skip
        if enrolled:
            account.totp_secret = pyotp.random_base32()
            account.totp_confirmed_at = clock.now()
        session.commit()
        return email, account.totp_secret


def log_in(page, app, email, secret):
    page.goto(f"{app.url}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    navigate(page, 'button[type="submit"]')
    assert page.url.endswith("/staff/login/code"), page.url
    page.fill("#code", pyotp.TOTP(secret).now())
    navigate(page, 'button[type="submit"]')


def test_enrol_triage_and_answer(live_app, page_at, axe_source):
    app = live_app
    token = new_token()
    reference = make_case(
        app, name="Amina Haile", locale="ti", interpreter="Tigrinya", status_token=token
    )
    email, _ = new_account(app)
    page = page_at(1280)
    problems = {}

    # first login: the authenticator app is set up from an inline QR code
    page.goto(f"{app.url}/staff/login")
    audit(page, axe_source, problems, "login")
    page.fill("#email", email)
    page.fill("#password", "wrong password entirely")
    navigate(page, 'button[type="submit"]')
    audit(page, axe_source, problems, "login refused")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    navigate(page, 'button[type="submit"]')
    assert page.url.endswith("/staff/login/enrol")
    assert page.locator(".qr svg, svg.qr-code").count() == 1
    audit(page, axe_source, problems, "enrol")
    secret = page.locator(".totp-key").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    navigate(page, 'button[type="submit"]')
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    audit(page, axe_source, problems, "recovery codes")
    navigate(page, "a.button")
    assert page.url.endswith("/staff/cases/")
    audit(page, axe_source, problems, "queue")

    # triage: open the case, start the review, write to the applicant
    navigate(page, f'a:text("{reference}")')
    assert page.locator(".key-facts").inner_text().count("Tigrinya") >= 1
    audit(page, axe_source, problems, "case")
    page.select_option("#status", "in_review")
    navigate(page, "form[action$='/status'] button")
    page.fill("#message", "Ta med oppholdstillatelsen på mandag.")
    navigate(page, "form[action$='/message'] button")
    page.select_option("#status", "waiting_for_applicant")
    navigate(page, "form[action$='/status'] button")
    audit(page, axe_source, problems, "case after triage")

    # the applicant reads the message in Tigrinya and answers
    applicant = page_at(320)
    applicant.goto(f"{app.url}/ti/status/?token={token}")
    assert "Ta med oppholdstillatelsen på mandag." in applicant.content()
    applicant.fill("#answer", "ሓዊ ክመጽእ እየ።")
    navigate(applicant, "form[action$='/answer'] button")
    audit(applicant, axe_source, problems, "status page after answer")
    assert applicant.locator(".flash").count() == 1

    page.reload()
    assert "ሓዊ ክመጽእ እየ።" in page.content()
    with app.app_context():
        session = db.get_session()
        from portal.cases.models import Case

        assert (
            session.scalars(select(Case.status).where(Case.reference == reference)).one()
            == "in_review"
        )

    # next login: a recovery code instead of the app
    navigate(page, ".staff-user button")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    navigate(page, 'button[type="submit"]')
    audit(page, axe_source, problems, "code")
    page.fill("#code", codes[0])
    navigate(page, 'button[type="submit"]')
    assert page.url.endswith("/staff/cases/")
    assert problems == {}


def _bookings_today(app):
    """Two bookings today, one with an interpreter, for the day list."""
    with app.app_context():
        session = db.get_session()
        start = clock.local_midnight(clock.today()) + timedelta(hours=9, minutes=next(_serial) % 60)
        for desk, (name, language) in enumerate(
            (("Hamid Karimi", "Dari"), ("Olga Ivanova", None)), 1
        ):
            booking = Booking(
                reference=f"TB-{next(_serial):04d}-TEST", starts_at=start, topic="general", name=name,
                phone="+4791234567", people=1, language="fa-af", interpreter_needed=bool(language),
                interpreter_language=language, interpreter_mode="on_site" if language else None,
                manage_token_hash=new_token()[:64],
            )  # fmt: skip
            booking.reservation = DeskReservation(starts_at=start, desk=desk)
            session.add(booking)
        session.commit()


STAFF_PAGES = {
    "admin": [
        "/staff/cases/",
        "/staff/cases/?overdue=y&interpreter=y",
        "/staff/desk/",
        "/staff/closures/",
        "/staff/admin/accounts/",
        "/staff/admin/accounts/new",
        "/staff/admin/audit/",
        "/staff/admin/audit/?first_day=nonsense",
        "/staff/admin/settings",
        "/staff/admin/outbox/",
        "/staff/admin/outbox/?state=pending",
        "/staff/account",
        "/staff/account/password",
    ],
    "reception": [
        "/staff/desk/",
        "/staff/desk/?day=2026-02-30",
        "/staff/closures/",
        "/staff/cases/",
        "/staff/cases/FG-2222-2222",
    ],  # 403 pages
}


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_on_every_staff_page(live_app, page_at, axe_source, language, width):
    app = live_app
    reference = make_case(app, name="Yonas Tesfay", due_in_days=-3)
    _bookings_today(app)
    problems = {}
    for role, paths in STAFF_PAGES.items():
        email, secret = new_account(
            app, role, () if role != "caseworker" else ("settlement",), enrolled=True
        )
        page = page_at(width)
        page.goto(f"{app.url}/staff/language/{language}?next=/staff/login")
        log_in(page, app, email, secret)
        assert page.locator("html").get_attribute("lang") == language
        for path in [*paths, *([f"/staff/cases/{reference}"] if role == "admin" else [])]:
            page.goto(app.url + path)
            audit(page, axe_source, problems, f"{role} {path}")
        if role == "admin":
            page.goto(app.url + "/staff/admin/accounts/")
            navigate(page, "table a >> nth=0")
            audit(page, axe_source, problems, "admin account page")
            page.goto(app.url + "/staff/admin/accounts/new")
            navigate(page, 'main form button[type="submit"]')  # empty: the error state
            audit(page, axe_source, problems, "new account with errors")
            page.goto(f"{app.url}/staff/cases/{reference}")
            navigate(page, "form[action$='/message'] button")  # empty message: the error state
            audit(page, axe_source, problems, "case with an error")
            page.goto(app.url + "/staff/admin/settings")
            page.fill("#family_reunification-due_in_days", "0")
            navigate(page, "form[action$='/routing/family_reunification'] button")
            audit(page, axe_source, problems, "routing with an error")
            page.goto(app.url + "/staff/closures/")
            navigate(page, 'main form[method="post"] button[type="submit"] >> nth=0')
            audit(page, axe_source, problems, "closure with errors")
    assert problems == {}


def _tab_to(page, selector: str, presses: int = 40) -> None:
    """Press Tab until the element is focused, as a keyboard user would."""
    for _ in range(presses):
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_log_in_and_open_a_case_by_keyboard_alone(live_app, page_at):
    app = live_app
    reference = make_case(app, name="Keyboard Person")
    email, secret = new_account(app, enrolled=True)
    page = page_at(1280)
    page.goto(f"{app.url}/staff/login")
    _tab_to(page, "#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "#code")
    page.keyboard.type(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/staff/cases/")
    _tab_to(page, f'a[href="/staff/cases/{reference}"]', presses=80)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/staff/cases/{reference}")
    _tab_to(page, "#message", presses=80)
    page.keyboard.type("Hei")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Hei" in page.locator(".staff-timeline").inner_text()
