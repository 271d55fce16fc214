"""Cancelling the bookings on closed days: the closure page tells the truth, a confirmation page
names each person and shows the message they will get, and only then are the bookings cancelled."""

import html as html_lib
import re

import pytest
from sqlalchemy import select

from portal import db
from portal.appointments.models import Booking, Closure
from portal.notify.models import OutboxMessage
from portal.profile import clock
from tests.conftest import audit_rows, csrf_token_in
from tests.test_booking import MONDAY_0800
from tests.test_notify import Recorder, _send
from tests.test_staff_desk import add_closure, make_booking, monday  # noqa: F401 - fixtures

NOTICE = re.compile(r'<p class="notice-text" lang="([\w-]+)" dir="(\w+)">([^<]+)</p>')


@pytest.fixture(autouse=True)
def _english_staff_pages(client):
    client.set_cookie("staff_lang", "en")


@pytest.fixture
def closed_monday(app, forms, staff, monday, make_booking):  # noqa: F811
    """Two bookings on a closed Monday (Arabic with an e-mail, Ukrainian without), one on
    Tuesday; reception is signed in. Returns (closure page, [booking ids on Monday])."""
    arabic, _ = make_booking(name="Amira Test", language="ar", email="amira@example.org")
    ukrainian, _ = make_booking(
        MONDAY_0800.replace(hour=9), "+4791000002", name="Olena Test", language="uk"
    )
    make_booking(MONDAY_0800.replace(day=8), "+4791000003", name="Spared Person")
    staff.as_role("reception")
    forms.client.set_cookie("staff_lang", "en")
    closure_page = add_closure(forms).location
    return closure_page, [arabic, ukrainian]


def _statuses(app) -> dict[str, str]:
    with app.app_context():
        return {b.name: b.status for b in db.get_session().scalars(select(Booking))}


def _closed_messages(app) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.kind == "booking_closed")
        return db.get_session().scalars(query).all()


def test_the_closure_page_says_what_is_true(app, forms, closed_monday):
    closure_page, _ = closed_monday
    html = forms.client.get(closure_page).get_data(as_text=True)
    assert "does not send them any message" not in html
    assert "They are not cancelled: the people will come unless they are told." in html
    # no button on this page cancels anything: it leads to the confirmation
    assert 'action="' + closure_page + '/cancel-bookings"' not in html
    assert f'href="{closure_page}/cancel-bookings"' in html
    listing = forms.client.get("/staff/closures/").get_data(as_text=True)
    assert "Bookings already made on these days are not cancelled." not in listing
    assert "does not cancel the bookings already made on these days, and sends nobody" in listing


def test_a_post_without_the_confirmation_page_cancels_nothing(app, forms, closed_monday):
    closure_page, _ = closed_monday
    # the old one-click button: only a form token, from the closure page
    response = forms.post(f"{closure_page}/cancel-bookings", {}, token_from=closure_page)
    assert response.status_code == 303
    assert response.location == f"{closure_page}/cancel-bookings"
    assert set(_statuses(app).values()) == {"active"}
    assert _closed_messages(app) == [] and audit_rows(app, "closure_bookings_cancelled") == []
    confirmation = forms.client.get(response.location).get_data(as_text=True)
    assert "Nothing was cancelled. Check the list and confirm again." in confirmation


def test_the_confirmation_lists_each_person_and_their_message_in_their_language(
    app, forms, closed_monday
):
    closure_page, ids = closed_monday
    html = forms.client.get(f"{closure_page}/cancel-bookings").get_data(as_text=True)
    assert "Cancel 2 appointments?" in html and "Nothing is cancelled yet." in html
    assert "Amira Test" in html and "Olena Test" in html and "Spared Person" not in html
    assert "+47\u00a0••••\u00a000\u00a001" in html and "+47\u00a0••••\u00a000\u00a002" in html
    assert "91 00 00 01" not in html and "+4791000001" not in html  # phones masked
    assert "Cancel 2 appointments and send 3 messages" in html  # Arabic by SMS and e-mail
    assert "Go back" in html and f'href="{closure_page}"' in html
    notices = NOTICE.findall(html)
    assert [(lang, direction) for lang, direction, _ in notices] == [("ar", "rtl"), ("uk", "ltr")]
    assert "Arabic" in html and "Ukrainian" in html
    assert "/ar/book/" in notices[0][2] and "/uk/book/" in notices[1][2]
    assert f'name="bookings" type="hidden" value="{ids[0]},{ids[1]}"' in html
    [viewed, *_] = audit_rows(app, "closure_viewed")  # names and phones were shown
    assert viewed.target_id == closure_page.rsplit("/", 1)[1]

    # what the page promised is what the people get
    forms.post(f"{closure_page}/cancel-bookings", {"bookings": f"{ids[0]},{ids[1]}"},
               token_from=f"{closure_page}/cancel-bookings")  # fmt: skip
    sms, email = Recorder(), Recorder()
    _send(app, clock.now(), sms=sms, email=email)
    shown = [html_lib.unescape(text) for _lang, _dir, text in notices]
    closed = [body for _c, _r, body, _s in sms.sent if "/book/" in body]
    assert sorted(closed) == sorted(shown)
    assert [body.split("\n")[0] for _c, _r, body, _s in email.sent if "/book/" in body] == [
        shown[0]
    ]


def test_confirming_cancels_the_listed_bookings_and_says_what_was_done(app, forms, closed_monday):
    closure_page, ids = closed_monday
    confirm = f"{closure_page}/cancel-bookings"
    token = csrf_token_in(forms.client.get(confirm).get_data(as_text=True))
    response = forms.client.post(
        confirm, data={"csrf_token": token, "bookings": f"{ids[0]},{ids[1]}"}
    )
    assert response.status_code == 303 and response.location == closure_page
    assert _statuses(app) == {
        "Amira Test": "cancelled", "Olena Test": "cancelled", "Spared Person": "active",
    }  # fmt: skip
    assert sorted((m.channel, m.locale) for m in _closed_messages(app)) == [
        ("email", "ar"), ("sms", "ar"), ("sms", "uk"),
    ]  # fmt: skip
    page = forms.client.get(closure_page).get_data(as_text=True)
    assert re.search(
        r"2 appointments are cancelled \(TB-[\w-]+ Amira Test, TB-[\w-]+ Olena Test\)\. "
        r"3 messages are queued",
        page,
    )
    assert "No active bookings are on these days." in page
    [entry] = audit_rows(app, "closure_bookings_cancelled")
    assert entry.details["messages"] == 3 and len(entry.details["bookings"]) == 2
    # A second tap on the same page cancels nothing more and says so.
    again = forms.client.post(confirm, data={"csrf_token": token, "bookings": f"{ids[0]},{ids[1]}"})
    page = forms.client.get(again.location).get_data(as_text=True)
    assert "Nothing was cancelled: the appointments on the list were already cancelled" in page
    assert "0 appointments" not in page and len(_closed_messages(app)) == 3


def test_only_the_bookings_on_the_confirmed_list_are_cancelled(app, forms, closed_monday):
    closure_page, ids = closed_monday
    confirm = f"{closure_page}/cancel-bookings"
    forms.post(confirm, {"bookings": str(ids[1])}, token_from=confirm)
    assert _statuses(app)["Amira Test"] == "active"
    assert _statuses(app)["Olena Test"] == "cancelled"
    page = forms.client.get(closure_page).get_data(as_text=True)
    assert re.search(r"1 appointment is cancelled \(TB-[\w-]+ Olena Test\)\. 1 message is", page)
    assert "1 booking was not on the list you confirmed and is not cancelled." in page


@pytest.mark.parametrize("bookings", ["", "1;2", "x", "1,,2"])
def test_a_list_that_is_not_a_list_of_bookings_cancels_nothing(app, forms, closed_monday, bookings):
    closure_page, _ = closed_monday
    confirm = f"{closure_page}/cancel-bookings"
    response = forms.post(confirm, {"bookings": bookings}, token_from=confirm)
    assert response.status_code == 303 and set(_statuses(app).values()) == {"active"}


def test_the_confirmation_needs_its_form_token(app, forms, closed_monday):
    closure_page, ids = closed_monday
    response = forms.client.post(
        f"{closure_page}/cancel-bookings", data={"bookings": f"{ids[0]},{ids[1]}"}
    )
    assert response.status_code == 400 and set(_statuses(app).values()) == {"active"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_the_login(forms, method):
    path = "/staff/closures/1/cancel-bookings"
    if method == "get":
        response = forms.client.get(path)
    else:
        response = forms.post(path, {"bookings": "1"}, token_from="/staff/login")
    assert response.status_code == 302 and response.location.startswith("/staff/login")


def test_caseworkers_may_not_cancel_the_bookings(app, forms, staff, monday, make_booking):  # noqa: F811
    booking_id, _ = make_booking()
    with app.app_context():
        session = db.get_session()
        closure = Closure(first_day=MONDAY_0800.date(), last_day=MONDAY_0800.date(), reason="X")
        session.add(closure)
        session.commit()
        closure_id = closure.id
    staff.as_role("caseworker")
    confirm = f"/staff/closures/{closure_id}/cancel-bookings"
    assert forms.client.get(confirm).status_code == 403
    day_list = "/staff/desk/?day=2030-01-07"  # a form token to borrow
    response = forms.post(confirm, {"bookings": str(booking_id)}, token_from=day_list)
    assert response.status_code == 403
    assert set(_statuses(app).values()) == {"active"}
    assert audit_rows(app, "closure_bookings_cancelled") == audit_rows(app, "closure_viewed") == []
