"""The status page with a question waiting (Arabic and English at 360 px), and the front desk's
closure pages through a bulk cancellation and the closure's removal (Norwegian, 1280 px and
320 px), in a real browser:
axe, no sideways scroll, what comes first, and screenshots for a person to look at."""

import os
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import db
from portal.appointments.models import Booking, Closure, DeskReservation
from portal.cases.models import Case
from portal.cases.workflow import change_status, send_message
from portal.links.tokens import new_token, token_hash
from portal.profile import clock
from tests.browser.test_registration_flow import audit, navigate
from tests.browser.test_staff_flow import log_in, new_account
from tests.case_factory import make_case

SHOTS = os.environ.get("SHOTS_DIR", "/tmp/shots/status-desk")
QUESTION = "Kan du sende et bilde av oppholdstillatelsen? Can you send a photo of your permit?"


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _case_waiting_for_an_answer(app, locale: str) -> str:
    token = new_token()
    reference = make_case(app, name="Fatima Test", locale=locale, status_token=token)
    with app.app_context():
        session = db.get_session()
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        change_status(case, "in_review", None)
        send_message(case, QUESTION, None)
        change_status(case, "waiting_for_applicant", None)
        session.commit()
    return token


@pytest.mark.parametrize("code", ["ar", "en"])
def test_the_waiting_question_comes_first_on_a_phone(live_app, page_at, axe_source, code):
    token = _case_waiting_for_an_answer(live_app, code)
    page = page_at(360)
    page.goto(f"{live_app.url}/{code}/status/?token={token}")
    problems = {}
    audit(page, axe_source, problems, f"{code} status with a question")
    assert page.locator("html").get_attribute("dir") == ("rtl" if code == "ar" else "ltr")
    question = page.locator(".waiting-question")
    timeline = page.locator("ol.timeline")
    assert QUESTION in question.inner_text()
    assert question.bounding_box()["y"] < timeline.bounding_box()["y"]
    text, button = page.locator("#answer").bounding_box(), question.locator("button").bounding_box()
    assert button["y"] - (text["y"] + text["height"]) >= 12  # the box does not touch its button
    first = page.locator("ol.timeline li").first.inner_text()
    assert "waiting" in first.casefold() or code == "ar"  # the newest line first
    _shot(page, f"status-{code}-360")
    page.click(".sent-answers summary")  # what was sent, opened
    assert page.locator(".sent-list").first.is_visible()
    audit(page, axe_source, problems, f"{code} status, what you sent open")
    _shot(page, f"status-{code}-360-sent")
    navigate(page, ".waiting-question button")  # sent empty: the error stays in the question
    assert page.locator(".waiting-question .field-error").count() == 1
    audit(page, axe_source, problems, f"{code} status, empty answer")
    _shot(page, f"status-{code}-360-error")
    assert problems == {}


def _closure_with_bookings(app) -> int:
    """A closed weekday far ahead with three bookings (Arabic with an e-mail, Ukrainian,
    Norwegian); returns the closure's id."""
    zone = ZoneInfo(app.extensions["profile"].timezone)
    with app.app_context():
        day = clock.today() + timedelta(days=300)
        day += timedelta(days=(7 - day.weekday()) % 7)  # a Monday
        session = db.get_session()
        people = (
            ("Amira Test", "+4790000011", "ar", "amira@example.org"),
            ("Olena Test", "+4790000012", "uk", None),
            ("Kari Test", "+4790000013", "nb", None),
        )
        for hour, (name, phone, language, email) in enumerate(people, 9):
            start = datetime.combine(day, time(hour), zone).astimezone(UTC)
            booking = Booking(
                reference=f"TB-CLOS-{hour:04d}", starts_at=start, topic="general", name=name,
                phone=phone, email=email, people=1, language=language,
                manage_token_hash=token_hash(new_token()),
            )  # fmt: skip
            booking.reservation = DeskReservation(starts_at=start, desk=1)
            session.add(booking)
        closure = Closure(first_day=day, last_day=day, reason="Personalmøte")
        session.add(closure)
        session.commit()
        return closure.id


@pytest.mark.parametrize("width", [1280, 320])
def test_cancelling_the_bookings_of_a_closure_is_asked_once(live_app, page_at, axe_source, width):
    app = live_app
    closure_id = _closure_with_bookings(app)
    email, secret = new_account(app, "reception", (), enrolled=True)
    page = page_at(width)
    page.goto(f"{app.url}/staff/language/nb?next=/staff/login")
    log_in(page, app, email, secret)
    problems = {}
    page.goto(f"{app.url}/staff/closures/{closure_id}")
    audit(page, axe_source, problems, "closure")
    assert page.locator("main form[action$='/cancel-bookings']").count() == 0
    if width == 1280:
        _shot(page, "closure-nb-1280")
    navigate(page, "main a[href$='/cancel-bookings']")
    audit(page, axe_source, problems, "confirmation")
    assert page.locator(".notice-text[lang='ar'][dir='rtl']").count() == 1
    button = page.locator("main form button[type='submit']").inner_text()
    assert "3" in button and "4" in button  # appointments, messages (Arabic by e-mail too)
    if width == 1280:
        _shot(page, "closure-confirm-nb-1280")
    navigate(page, "main form button[type='submit']")
    assert page.url.endswith(f"/staff/closures/{closure_id}")
    audit(page, axe_source, problems, "after the cancellation")
    assert page.locator(".flash").count() == 1
    if width == 1280:
        _shot(page, "closure-done-nb-1280")
    navigate(page, "main a[href$='/remove']")  # removing the closure is asked once too
    audit(page, axe_source, problems, "remove the closure?")
    if width == 1280:
        _shot(page, "closure-remove-nb-1280")
    navigate(page, "main form button[type='submit']")
    assert page.url.endswith("/staff/closures/") and page.locator(".flash").count() == 1
    with app.app_context():
        statuses = db.get_session().scalars(
            select(Booking.status).where(Booking.reference.like("TB-CLOS-%"))
        )
        assert set(statuses) == {"cancelled"}
        db.get_session().execute(Booking.__table__.delete().where(
            Booking.reference.like("TB-CLOS-%")))  # fmt: skip
        db.get_session().commit()
    assert problems == {}
