"""Booking: the flow, capacity under concurrency, cancel, move, phone limit, .ics, closures."""

import re
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func, select

from portal import db
from portal.appointments import services
from portal.appointments.models import Booking, DeskReservation
from portal.notify.models import OutboxMessage
from tests.conftest import form_key

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)  # a Wednesday, long before the slots below
MONDAY_0800 = datetime(2030, 1, 7, 8, 0, tzinfo=OSLO)  # 07:00 UTC
DETAILS = dict(
    topic="housing", name="Olena Petrenko", phone="+380501234567", email=None, people=1,
    language="uk", interpreter_needed=True, interpreter_language="Ukrainian",
    interpreter_dialect=None, interpreter_mode="on_site", note=None,
)  # fmt: skip
FORM = {
    "name": "Олена Петренко", "phone": "+380 50 123 4567", "email": "", "people": "2",
    "language": "uk", "interpreter_needed": "yes", "interpreter_language": "uk",
    "interpreter_dialect": "", "interpreter_mode": "on_site", "note": "Я прийду з донькою",
}  # fmt: skip


def details(phone="+380501234567", **changes):
    return services.BookingDetails(**{**DETAILS, "phone": phone, **changes})


def book(app, start=MONDAY_0800, phone="+380501234567", key=None):
    with app.app_context():
        return services.book(
            db.serialised_session(),
            app.extensions["profile"],
            start,
            details(phone),
            NOW,
            **form_key(app, key),
        )


def reservations(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(DeskReservation))


def test_a_slot_takes_as_many_bookings_as_desks(app):
    book(app, phone="+4791000001")
    book(app, phone="+4791000002")
    with pytest.raises(services.BookingRefused) as refused:
        book(app, phone="+4791000003")
    assert refused.value.reason == "slot_taken"
    assert reservations(app) == 2


def test_fifty_simultaneous_bookings_for_one_slot_with_two_desks(app):
    outcomes, barrier = [], threading.Barrier(50)

    def attempt(number):
        with app.app_context():
            barrier.wait()
            try:
                services.book(
                    db.serialised_session(),
                    app.extensions["profile"],
                    MONDAY_0800,
                    details(f"+47910{number:05d}"),
                    NOW,
                    **form_key(app),
                )
                outcomes.append("booked")
            except services.BookingRefused as refused:
                outcomes.append(refused.reason)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == 2
    assert outcomes.count("slot_taken") == 48
    assert reservations(app) == 2
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(Booking)) == 2


def test_cancel_frees_the_desk(app):
    _, token = book(app, phone="+4791000001")
    book(app, phone="+4791000002")
    with app.app_context():
        assert services.cancel(db.serialised_session(), token, NOW).status == "cancelled"
        assert services.cancel(db.serialised_session(), token, NOW) is None  # only once
    book(app, phone="+4791000003")  # the freed desk
    assert reservations(app) == 2


def test_move_is_atomic(app):
    _, token = book(app, phone="+4791000001")
    nine = MONDAY_0800.replace(hour=9)
    book(app, start=nine, phone="+4791000002")
    book(app, start=nine, phone="+4791000003")
    profile = app.extensions["profile"]
    with app.app_context():
        with pytest.raises(services.BookingRefused):
            services.move(
                db.serialised_session(), profile, token, nine, NOW
            )  # full: nothing changes
        booking = services.find_booking(db.get_session(), token)
        assert services.utc(booking.starts_at) == MONDAY_0800.astimezone(UTC)
        assert booking.reservation is not None
        moved = services.move(
            db.serialised_session(), profile, token, MONDAY_0800.replace(hour=10), NOW
        )
        assert services.utc(moved.starts_at).hour == 9  # 10:00 in Oslo is 09:00 UTC
    book(app, phone="+4791000004")  # the old desk at 08:00 is free again
    book(app, phone="+4791000005")
    assert reservations(app) == 5


def test_one_phone_number_can_hold_two_active_bookings(app):
    book(app)
    book(app, start=MONDAY_0800.replace(hour=9))
    with pytest.raises(services.BookingRefused) as refused:
        book(app, start=MONDAY_0800.replace(hour=10))
    assert refused.value.reason == "phone_has_bookings"  # the same answer as for the same time


@pytest.mark.parametrize(
    "start",
    [
        datetime(2030, 1, 5, 10, 0, tzinfo=OSLO),  # a Saturday
        datetime(2030, 1, 7, 15, 0, tzinfo=OSLO),  # closing time
        datetime(2030, 1, 7, 8, 10, tzinfo=OSLO),  # not on the grid
        datetime(2030, 1, 2, 12, 0, tzinfo=OSLO),  # sooner than the notice
        datetime(2030, 4, 22, 10, 0, tzinfo=OSLO),  # Easter Monday, and past the horizon
    ],
)
def test_only_offered_times_can_be_booked(app, start):
    with pytest.raises(services.BookingRefused) as refused:
        book(app, start=start)
    assert refused.value.reason == "not_bookable"


def test_calendar_file_parses_back_in_local_time(app):
    from portal.appointments.calendar import booking_calendar

    booking, _ = book(app)
    with app.test_request_context("/uk/"):
        data = booking_calendar(booking, app.extensions["profile"], "portal.example")
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (8, 0, "Europe/Oslo")
    assert event.decoded("dtend") - start == timedelta(minutes=30)
    assert booking.reference in str(event["description"])
    assert "Tinngata 8" in str(event["location"])


def test_closure_lists_the_bookings_it_hits(app, runner):
    book(app)
    book(app, start=MONDAY_0800.replace(day=8), phone="+4791000008")  # the next day: not hit
    result = runner.invoke(
        args=["closures", "add", "--from", "2030-01-07", "--reason", "Staff day"]
    )
    assert result.exit_code == 0, result.output
    assert "1 booking(s)" in result.output and "+380501234567" in result.output
    assert "+4791000008" not in result.output
    listing = runner.invoke(args=["closures", "list"]).output
    assert "2030-01-07" in listing and "Staff day" in listing
    with pytest.raises(services.BookingRefused):
        book(app, phone="+4791000009")  # the day is closed now


# --- through the web pages --------------------------------------------------------------------


def first_free_time(client, topic="general"):
    days = client.get(f"/uk/book/{topic}/").get_data(as_text=True)
    day = re.search(rf'href="/uk/book/{topic}/([\d-]+)/"', days).group(1)
    times = client.get(f"/uk/book/{topic}/{day}/").get_data(as_text=True)
    return day, re.findall(rf'href="/uk/book/{topic}/{day}/(\d{{4}})"', times)


def test_booking_through_the_pages(app, forms):
    day, times = first_free_time(forms.client)
    path = f"/uk/book/general/{day}/{times[0]}"
    response = forms.post(path, FORM)
    assert response.status_code == 302 and response.location == "/uk/booking/?new=1"
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = forms.client.get(response.location)
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    reference = re.search(r"TB-\w{4}-\w{4}", html.replace("<wbr>", "")).group(0)
    manage = re.search(r'href="http://localhost(/uk/booking/\?token=[\w-]+)"', html).group(1)
    assert f"{times[0][:2]}:{times[0][2:]}" in html
    other = app.test_client()
    exchanged = other.get(manage)
    assert exchanged.status_code == 302 and exchanged.location == "/uk/booking/"
    assert reference in other.get("/uk/booking/").get_data(as_text=True).replace("<wbr>", "")
    ics = other.get("/uk/booking/calendar.ics")
    assert ics.mimetype == "text/calendar" and reference.encode() in ics.data


def test_loser_of_a_race_keeps_the_form_and_picks_another_time(app, forms):
    day, times = first_free_time(forms.client)
    start = datetime.strptime(f"{day} {times[0]}", "%Y-%m-%d %H%M").replace(tzinfo=OSLO)
    with app.app_context():
        for phone in ("+4791000001", "+4791000002"):
            services.book(
                db.serialised_session(),
                app.extensions["profile"],
                start,
                details(phone),
                datetime.now(UTC),
                **form_key(app),
            )
    path = f"/uk/book/general/{day}/{times[0]}"
    response = forms.post(path, FORM, token_from=f"/uk/book/general/{day}/{times[1]}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'role="alert"' in html
    assert 'value="Олена Петренко"' in html and "Я прийду з донькою" in html
    assert f'name="time" value="{times[1]}" checked' in html
    again = forms.post(
        path, {**FORM, "time": times[1]}, token_from=f"/uk/book/general/{day}/{times[1]}"
    )
    assert again.status_code == 302


def test_cancel_through_the_manage_page(app, forms):
    day, times = first_free_time(forms.client)
    forms.post(f"/uk/book/general/{day}/{times[0]}", FORM)
    response = forms.post("/uk/booking/cancel", {"confirm": "yes"})
    assert response.location == "/uk/booking/"
    assert reservations(app) == 0
    assert forms.client.get("/uk/booking/calendar.ics").status_code == 404


def test_unknown_manage_links_are_404(client):
    assert client.get("/uk/booking/?token=" + "C" * 43).status_code == 404
    assert client.get("/uk/booking/").status_code == 404
    assert client.get("/uk/book/not-a-topic/").status_code == 404
    assert client.get("/uk/book/general/2030-02-31/").status_code == 404


# --- fixes after review ------------------------------------------------------------------------


def test_the_same_form_sent_twice_makes_one_booking_and_one_link(app):
    first, first_token = book(app, key="the-same-form-key-0123456789")
    second, second_token = book(app, key="the-same-form-key-0123456789")
    assert first.id == second.id and reservations(app) == 1
    assert first_token == second_token  # whichever answer the phone keeps, its link works
    with app.app_context():
        assert services.find_booking(db.get_session(), first_token).id == first.id


def test_another_form_for_the_same_phone_and_time_gets_nothing_of_the_booking(app):
    """Issue #12: a phone number is not a secret. Someone else's form for the same time and the
    same phone is refused; the link goes again by SMS to the phone on record; the owner's link
    keeps working."""
    owner, owner_token = book(app)
    with pytest.raises(services.BookingRefused) as refused:
        book(app)  # a new form key
    assert refused.value.reason == "phone_has_bookings" and refused.value.link_sent
    with app.app_context():
        session = db.get_session()
        assert services.find_booking(session, owner_token).id == owner.id
        sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "booking_link"))
        assert [(m.channel, m.recipient, m.booking_id) for m in sent] == [
            ("sms", "+380501234567", owner.id)
        ]
    with pytest.raises(services.BookingRefused):
        book(app)  # again the same day: refused, and no second message
    with app.app_context():
        count = select(func.count()).where(OutboxMessage.kind == "booking_link")
        assert db.get_session().scalar(count) == 1
    assert reservations(app) == 1


def test_a_past_booking_cannot_be_moved_into_the_future(app):
    _, token = book(app)
    later = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)  # after the appointment
    with app.app_context(), pytest.raises(services.BookingRefused):
        services.move(
            db.serialised_session(),
            app.extensions["profile"],
            token,
            MONDAY_0800.replace(day=14),
            later,
        )


def test_old_and_cancelled_bookings_are_purged(app, runner):
    _, token = book(app)
    book(app, start=MONDAY_0800.replace(day=8), phone="+4791000002")
    with app.app_context():
        services.cancel(db.serialised_session(), token, NOW)
        session = db.get_session()
        assert services.purge_old_bookings(session, NOW + timedelta(days=29), 30) == 0
        assert services.purge_old_bookings(session, NOW + timedelta(days=31), 30) == 1  # cancelled
        assert services.purge_old_bookings(session, datetime(2030, 2, 8, tzinfo=UTC), 30) == 1
        session.commit()  # retention commits its rules together (ops/retention.apply)
    assert reservations(app) == 0
    assert "booking(s) more than 30 days past" in runner.invoke(args=["purge"]).output


@pytest.mark.parametrize(
    "path",
    [
        "/uk/book/general/0001-01-01/",
        "/uk/book/general/0001-01-01/0000",
        "/uk/book/general/20300107/",
        "/uk/book/general/2099-01-05/",  # past the horizon
        "/uk/book/general/{today}/2561",
        "/uk/book/general/{today}/9",
        "/uk/book/" + "x" * 60 + "/{today}/0800",
    ],
)
def test_odd_addresses_are_404_never_500(client, path):
    from portal.profile.clock import today

    with client.application.app_context():
        path = path.format(today=today().isoformat())
    assert client.get(path).status_code == 404
    if not path.endswith("/"):  # a form's address: its POST is refused too
        assert client.post(path, data={}).status_code == 404


def test_a_post_for_an_unknown_topic_books_nothing(app, forms):
    day, times = first_free_time(forms.client)
    response = forms.post(f"/uk/book/{'x' * 60}/{day}/{times[0]}", FORM,
                          token_from=f"/uk/book/general/{day}/{times[0]}")  # fmt: skip
    assert response.status_code == 404 and reservations(app) == 0


@pytest.mark.parametrize("path", ["/uk/booking/cancel", "/uk/booking/move/{day}/{time}"])
def test_changing_a_booking_needs_the_form_token(app, forms, path):
    day, times = first_free_time(forms.client)
    forms.post(f"/uk/book/general/{day}/{times[0]}", FORM)
    forms.client.post(
        path.format(day=day, time=times[1]), data={"csrf_token": "forged", "confirm": "yes"}
    )
    assert reservations(app) == 1
    html = forms.client.get("/uk/booking/").get_data(as_text=True)
    assert f"{times[0][:2]}:{times[0][2:]}" in html  # still the original time


def test_a_time_that_is_not_offered_shows_no_form(client):
    day, times = first_free_time(client)
    response = client.get(f"/uk/book/general/{day}/0810")
    assert response.status_code == 302 and response.location == f"/uk/book/general/{day}/"


def test_calendar_uid_uses_the_configured_address_not_the_host_header(make_app):
    from tests.conftest import FormFiller

    app = make_app(BASE_URL="https://ankomst.example.no")
    forms = FormFiller(app.test_client())
    day, times = first_free_time(forms.client)
    forms.post(f"/uk/book/general/{day}/{times[0]}", FORM)
    ics = forms.client.get("/uk/booking/calendar.ics")  # requested as host "localhost"
    event = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["uid"]).endswith("@ankomst.example.no")
