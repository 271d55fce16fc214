"""The front desk: the day list, check-in and no-show, closures; access and audit entries."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal import db
from portal.appointments import services
from portal.appointments.models import Booking, Closure
from portal.profile import clock
from tests.conftest import audit_rows, form_key
from tests.test_booking import MONDAY_0800, NOW, details

TUESDAY_0800 = MONDAY_0800.replace(day=8)
ROW = re.compile(
    r'<tr id="booking-\d+">\s*<th scope="row"><time[^>]*>([^<]+)</time></th>\s*'
    r"<td>(\d+)</td>\s*<td><bdi>([^<]+)</bdi>"
)


@pytest.fixture(autouse=True)
def _english_staff_pages(client):
    """These tests read the staff pages in English (the source language); Norwegian is the
    default, tested in test_staff_auth.py."""
    client.set_cookie("staff_lang", "en")


@pytest.fixture
def monday(monkeypatch):
    """The office's clock stands at Monday 7 January 2030, 10:00 in Oslo."""
    moment = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: date(2030, 1, 7))


@pytest.fixture
def make_booking(app):
    """Factory: a booking made through the booking service (its clock: 2 January 2030)."""

    def _make(start=MONDAY_0800, phone="+4791000001", cancelled=False, **changes):
        with app.app_context():
            booking, token = services.book(
                db.serialised_session(),
                app.extensions["profile"],
                start,
                details(phone, **changes),
                NOW,
                **form_key(app),
            )
            if cancelled:
                services.cancel(db.serialised_session(), token, NOW)
            return booking.id, booking.reference

    return _make


def booking_row(app, booking_id) -> Booking:
    with app.app_context():
        return db.get_session().get(Booking, booking_id)


def english(client):
    client.set_cookie("staff_lang", "en")


# --- the day list ------------------------------------------------------------------------------


def test_day_list_by_time_and_desk_in_local_time(app, client, staff, make_booking):
    make_booking(MONDAY_0800.replace(hour=10), "+4791000001", name="Third Person")
    make_booking(MONDAY_0800, "+4791000002", name="First Person", note="Comes with a pram")
    make_booking(MONDAY_0800, "+4791000003", name="Second Person")
    make_booking(MONDAY_0800.replace(hour=9), "+4791000004", name="Cancelled Person",
                 cancelled=True)  # fmt: skip
    make_booking(TUESDAY_0800, "+4791000005", name="Tuesday Person")
    staff.as_role("reception")
    client.set_cookie("staff_lang", "nb")  # Norwegian times: 08:00, not 8:00 AM
    html = client.get("/staff/desk/?day=2030-01-07").get_data(as_text=True)
    rows = ROW.findall(html)
    assert rows == [
        ("08:00", "1", "First Person"),  # 07:00 UTC
        ("08:00", "2", "Second Person"),
        ("10:00", "1", "Third Person"),
    ]
    assert "Cancelled Person" not in html and "Tuesday Person" not in html
    assert "Comes with a pram" in html and "91 00 00 02" in html  # the phone, readable
    english(client)
    html = client.get("/staff/desk/?day=2030-01-07").get_data(as_text=True)
    assert "3 bookings" in html and "Housing" in html
    assert 'href="/staff/desk/?day=2030-01-06"' in html
    assert 'href="/staff/desk/?day=2030-01-08"' in html


def test_interpreter_needs_are_summed_by_language(app, client, staff, make_booking):
    make_booking(MONDAY_0800, "+4791000001", interpreter_language="Arabic")
    make_booking(MONDAY_0800, "+4791000002", interpreter_language="العربية",
                 interpreter_mode="phone")  # fmt: skip
    make_booking(MONDAY_0800.replace(hour=9), "+4791000003", interpreter_language="arabisk")
    make_booking(MONDAY_0800.replace(hour=10), "+4791000004", interpreter_language="Українська")
    make_booking(MONDAY_0800.replace(hour=11), "+4791000005", interpreter_language="Klingon")
    make_booking(MONDAY_0800.replace(hour=12), "+4791000006", interpreter_needed=False,
                 interpreter_language=None, interpreter_mode=None)  # fmt: skip
    make_booking(TUESDAY_0800, "+4791000007", interpreter_language="Arabic")  # another day
    staff.as_role("reception")
    english(client)
    html = client.get("/staff/desk/?day=2030-01-07").get_data(as_text=True)
    assert "<bdi>Arabic</bdi>: 3 (2 on site, 1 by phone)" in html
    assert "<bdi>Ukrainian</bdi>: 1 (1 on site, 0 by phone)" in html
    assert "<bdi>Klingon</bdi>: 1 (1 on site, 0 by phone)" in html
    assert "(<bdi>Українська</bdi>)" in html  # what the person typed, beside its name
    assert html.index("Arabic</bdi>: 3") < html.index("Klingon</bdi>: 1")  # most needed first


def test_day_list_view_is_audited(app, client, staff, make_booking):
    make_booking()
    account_id = staff.as_role("caseworker")
    assert client.get("/staff/desk/?day=2030-01-07").status_code == 200
    [entry] = audit_rows(app, "day_list_viewed")
    assert entry.actor_id == account_id and entry.details == {"day": "2030-01-07"}


def test_day_list_defaults_to_today_at_the_office(app, client, staff, monday, make_booking):
    make_booking(name="Today Person")
    staff.as_role("reception")
    assert "Today Person" in client.get("/staff/desk/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "caseworker", "reception"])
def test_every_staff_role_sees_the_day_list(client, staff, role):
    staff.as_role(role)
    assert client.get("/staff/desk/").status_code == 200


@pytest.mark.parametrize("day", ["2030-02-31", "tomorrow", "0001-01-01", "9999-12-31", ""])
def test_a_day_that_is_not_a_date_is_an_error_beside_the_field(app, client, staff, day):
    staff.as_role("reception")
    response = client.get(f"/staff/desk/?day={day}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-message"' in html and f'value="{day}"' in html
    assert audit_rows(app, "day_list_viewed") == []


def test_the_day_list_shows_a_closure(app, client, staff):
    with app.app_context():
        session = db.get_session()
        session.add(Closure(first_day=date(2030, 1, 7), last_day=date(2030, 1, 9), reason="Move"))
        session.commit()
    staff.as_role("reception")
    english(client)
    html = client.get("/staff/desk/?day=2030-01-08").get_data(as_text=True)
    assert "The office is closed on this day. Reason: Move" in html


# --- attendance --------------------------------------------------------------------------------


def attend(forms, booking_id, state):
    """Press a button (reception: the closures page always has a form token to borrow)."""
    return forms.post(
        f"/staff/desk/bookings/{booking_id}/attendance",
        {"state": state},
        token_from="/staff/closures/",
    )


def test_check_in_no_show_and_undo(app, forms, staff, monday, make_booking):
    booking_id, reference = make_booking()
    staff.as_role("reception")
    response = attend(forms, booking_id, "checked_in")
    assert response.status_code == 302
    assert response.location == f"/staff/desk/?day=2030-01-07#booking-{booking_id}"
    booking = booking_row(app, booking_id)
    assert booking.attendance == "checked_in"
    assert clock.utc(booking.attendance_at) == datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
    html = forms.client.get("/staff/desk/?day=2030-01-07").get_data(as_text=True)
    assert "is checked in." in html and 'value="clear"' in html
    attend(forms, booking_id, "clear")
    booking = booking_row(app, booking_id)
    assert booking.attendance is None and booking.attendance_at is None
    attend(forms, booking_id, "no_show")
    assert booking_row(app, booking_id).attendance == "no_show"
    for action in ("booking_checked_in", "booking_attendance_cleared", "booking_no_show"):
        [entry] = audit_rows(app, action)
        assert (entry.target_type, entry.target_id) == ("booking", reference)


def test_the_same_button_twice_writes_one_entry(app, forms, staff, monday, make_booking):
    booking_id, _ = make_booking()
    staff.as_role("reception")
    attend(forms, booking_id, "checked_in")
    attend(forms, booking_id, "checked_in")
    assert len(audit_rows(app, "booking_checked_in")) == 1


def test_a_past_day_can_still_be_corrected(app, forms, staff, monkeypatch, make_booking):
    booking_id, _ = make_booking()
    monkeypatch.setattr(clock, "today", lambda: date(2030, 1, 9))
    staff.as_role("reception")
    attend(forms, booking_id, "no_show")
    assert booking_row(app, booking_id).attendance == "no_show"


def test_a_future_booking_cannot_be_marked(app, forms, staff, monday, make_booking):
    booking_id, _ = make_booking(TUESDAY_0800)
    staff.as_role("reception")
    html = forms.client.get("/staff/desk/?day=2030-01-08").get_data(as_text=True)
    assert 'name="state"' not in html  # no buttons on a day that has not come
    response = attend(forms, booking_id, "no_show")
    assert response.location == f"/staff/desk/?day=2030-01-08#booking-{booking_id}"
    english(forms.client)
    html = forms.client.get(response.location).get_data(as_text=True)
    assert "This appointment is on a later day." in html
    assert booking_row(app, booking_id).attendance is None
    assert audit_rows(app, "booking_no_show") == []


def test_a_cancelled_booking_cannot_be_marked(app, forms, staff, monday, make_booking):
    booking_id, _ = make_booking(cancelled=True)
    staff.as_role("reception")
    response = attend(forms, booking_id, "checked_in")
    assert response.status_code == 302
    assert booking_row(app, booking_id).attendance is None
    assert audit_rows(app, "booking_checked_in") == []


def test_an_unknown_booking_is_404(forms, staff, monday):
    staff.as_role("reception")
    assert attend(forms, 999, "checked_in").status_code == 404


@pytest.mark.parametrize("data", [{"state": "checked_in"}, {"state": "checked_in",
                                                            "csrf_token": "forged"}])  # fmt: skip
def test_attendance_needs_the_form_token(app, client, staff, monday, make_booking, data):
    booking_id, _ = make_booking()
    staff.as_role("reception")
    client.post(f"/staff/desk/bookings/{booking_id}/attendance", data=data)
    assert booking_row(app, booking_id).attendance is None
    assert audit_rows(app, "booking_checked_in") == []


def test_an_unknown_state_changes_nothing(app, forms, staff, monday, make_booking):
    booking_id, _ = make_booking()
    staff.as_role("reception")
    attend(forms, booking_id, "vanished")
    assert booking_row(app, booking_id).attendance is None


# --- closures ----------------------------------------------------------------------------------


def add_closure(forms, **fields):
    data = {"first_day": "2030-01-07", "last_day": "", "reason": "Staff training", **fields}
    return forms.post("/staff/closures/", data)


def test_reception_adds_a_closure_and_sees_the_bookings_it_hits(
    app, forms, staff, monday, make_booking
):
    _, hit = make_booking(name="Hit Person", language="ar")
    make_booking(TUESDAY_0800, "+4791000002", name="Spared Person")
    make_booking(MONDAY_0800.replace(hour=9), "+4791000003", cancelled=True)
    account_id = staff.as_role("reception")
    english(forms.client)
    response = add_closure(forms)
    closure_id = int(re.fullmatch(r"/staff/closures/(\d+)", response.location).group(1))
    html = forms.client.get(response.location).get_data(as_text=True)
    assert "It hits 1 booking." in html and "Contact the person" in html
    assert hit in html and "Hit Person" in html and "91 00 00 01" in html
    assert "Arabic" in html and "Monday 7 January 2030" in html
    assert "Spared Person" not in html
    [added] = audit_rows(app, "closure_added")
    assert added.actor_id == account_id and added.target_id == str(closure_id)
    assert added.details == {
        "first": "2030-01-07", "last": "2030-01-07", "reason": "Staff training", "bookings_hit": 1,
    }  # fmt: skip
    [viewed] = audit_rows(app, "closure_viewed")  # the page shows names and phones
    assert viewed.target_id == str(closure_id)
    listing = forms.client.get("/staff/closures/").get_data(as_text=True)
    assert "Staff training" in listing


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"first_day": ""}, "first_day", "Enter the first day the office is closed."),
        ({"first_day": "2030-02-30"}, "first_day", "Enter a real date"),
        ({"first_day": "2030-01-06"}, "first_day", "The first day cannot be in the past."),
        ({"last_day": "2030-01-06"}, "last_day", "The last day cannot be before the first day."),
        ({"reason": "  "}, "reason", "Write why the office is closed."),
        ({"reason": "x" * 201}, "reason", "Use at most 200 characters."),
    ],
)
def test_closure_errors_are_beside_the_fields(app, forms, staff, monday, fields, field, message):
    staff.as_role("reception")
    english(forms.client)
    response = add_closure(forms, **{"last_day": "2030-01-08", **fields})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error">(.*?)</p>', html)
    assert error and message in error.group(1)
    typed = {"first_day": "2030-01-07", "last_day": "2030-01-08", "reason": "Staff training"}
    typed.update(fields)
    for name, value in typed.items():
        assert re.search(rf'name="{name}"[^>]* value="{value.strip()}"', html), name
    with app.app_context():
        assert db.get_session().scalars(select(Closure)).all() == []


def test_a_closure_over_several_days(app, forms, staff, monday):
    staff.as_role("admin")
    add_closure(forms, last_day="2030-01-09")
    with app.app_context():
        [closure] = db.get_session().scalars(select(Closure)).all()
    assert (closure.first_day, closure.last_day) == (date(2030, 1, 7), date(2030, 1, 9))


def test_upcoming_closures_follow_the_office_calendar(app, client, staff, monday):
    with app.app_context():
        session = db.get_session()
        session.add(Closure(first_day=date(2030, 1, 3), last_day=date(2030, 1, 6), reason="Gone"))
        session.add(Closure(first_day=date(2030, 1, 5), last_day=date(2030, 1, 7), reason="Today"))
        session.commit()
    staff.as_role("reception")
    html = client.get("/staff/closures/").get_data(as_text=True)
    assert "Today" in html and "Gone" not in html


def test_removing_a_closure(app, forms, staff, monday):
    staff.as_role("reception")
    closure_page = add_closure(forms).location
    closure_id = closure_page.rsplit("/", 1)[1]
    forms.client.post(f"/staff/closures/{closure_id}/remove", data={})  # no form token
    with app.app_context():
        assert len(db.get_session().scalars(select(Closure)).all()) == 1
    # the closure page links to a page that asks once
    assert f'href="/staff/closures/{closure_id}/remove"' in forms.client.get(closure_page).text
    assert (
        f'action="/staff/closures/{closure_id}/remove"' not in forms.client.get(closure_page).text
    )
    asked = forms.client.get(f"/staff/closures/{closure_id}/remove").text
    assert "Remove the closure?" in asked and "Monday 7 January 2030" in asked
    assert "Staff training" in asked and "Go back" in asked
    with app.app_context():
        assert len(db.get_session().scalars(select(Closure)).all()) == 1  # asking changes nothing
    remove = f"/staff/closures/{closure_id}/remove"
    response = forms.post(remove, {}, token_from=remove)
    assert response.status_code == 302 and response.location == "/staff/closures/"
    done = forms.client.get("/staff/closures/").text
    assert "The closure Monday 7 January 2030 is removed." in done
    with app.app_context():
        assert db.get_session().scalars(select(Closure)).all() == []
    [removed] = audit_rows(app, "closure_removed")
    assert removed.target_id == closure_id and removed.details["reason"] == "Staff training"
    twice = forms.post(remove, {}, token_from="/staff/closures/")  # a second tap
    assert twice.status_code == 302 and twice.location == "/staff/closures/"
    assert "This closure was already removed." in forms.client.get("/staff/closures/").text
    assert forms.client.get(closure_page).status_code == 404
    assert forms.client.get(remove).status_code == 404  # nothing left to ask about


def test_adding_a_closure_needs_the_form_token(app, client, staff, monday):
    staff.as_role("reception")
    data = {"first_day": "2030-01-07", "reason": "Staff training"}
    assert client.post("/staff/closures/", data=data).status_code == 400
    with app.app_context():
        assert db.get_session().scalars(select(Closure)).all() == []


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/staff/desk/"),
        ("post", "/staff/desk/bookings/1/attendance"),
        ("get", "/staff/closures/"),
        ("post", "/staff/closures/"),
        ("get", "/staff/closures/1"),
        ("post", "/staff/closures/1/remove"),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login(forms, method, path):
    if method == "get":
        response = forms.client.get(path)
    else:
        response = forms.post(path, {}, token_from="/staff/login")
    assert response.status_code == 302
    assert response.location.startswith("/staff/login")


def test_closures_are_refused_to_caseworkers(app, forms, staff, monday, make_booking):
    make_booking()  # the day list then has a form token to borrow
    with app.app_context():
        session = db.get_session()
        closure = Closure(first_day=date(2030, 1, 8), last_day=date(2030, 1, 8), reason="Kept")
        session.add(closure)
        session.commit()
        closure_id = closure.id
    staff.as_role("caseworker")
    client, day_list = forms.client, "/staff/desk/?day=2030-01-07"
    assert client.get("/staff/closures/").status_code == 403
    assert client.get(f"/staff/closures/{closure_id}").status_code == 403
    data = {"first_day": "2030-01-09", "reason": "Not allowed"}
    assert forms.post("/staff/closures/", data, token_from=day_list).status_code == 403
    removal = forms.post(f"/staff/closures/{closure_id}/remove", {}, token_from=day_list)
    assert removal.status_code == 403
    with app.app_context():
        assert [c.reason for c in db.get_session().scalars(select(Closure))] == ["Kept"]
    assert audit_rows(app, "closure_added") == audit_rows(app, "closure_removed") == []
