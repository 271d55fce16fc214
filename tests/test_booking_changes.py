"""Booking, issue #14: ask before cancelling or moving and name what was done; the confirmation
says what to bring, where and to which (masked) number the message went; one heading per page
that names the topic; back links; "(.ics)" isolated; information pages link to the flows."""

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from portal import db, i18n
from portal.appointments import messages
from portal.appointments.models import Booking
from portal.notify.models import OutboxMessage
from portal.security import masking
from tests.test_booking import FORM, OSLO, reservations

ENGLISH_FORM = {**FORM, "phone": "+47 912 34 567", "email": "olena@example.no"}


def free_times(client, topic="family_reunification", lang="en"):
    days = client.get(f"/{lang}/book/{topic}/").get_data(as_text=True)
    day = re.search(rf'href="/{lang}/book/{topic}/([\d-]+)/"', days).group(1)
    times = client.get(f"/{lang}/book/{topic}/{day}/").get_data(as_text=True)
    return day, re.findall(rf'href="/{lang}/book/{topic}/{day}/(\d{{4}})"', times)


def booked(forms, topic="family_reunification", lang="en"):
    """Book the first free time through the pages; (day, its free times, the confirmation page)."""
    day, times = free_times(forms.client, topic, lang)
    response = forms.post(f"/{lang}/book/{topic}/{day}/{times[0]}", ENGLISH_FORM)
    assert response.status_code == 302
    return day, times, forms.client.get(response.location).get_data(as_text=True)


def starts_at(app) -> str:
    with app.app_context():
        booking = db.get_session().scalars(select(Booking)).one()
        return f"{booking.status} {booking.starts_at:%H%M}"


def shown_time(app, day: str, hhmm: str) -> str:
    """A time as the English pages write it (the portal's own formatting, whatever it is)."""
    local = datetime.strptime(f"{day} {hhmm}", "%Y-%m-%d %H%M").replace(tzinfo=OSLO)
    with app.test_request_context("/en/book/"):
        app.preprocess_request()
        return app.jinja_env.globals["format_time"](local, "short")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- 1. one tap never destroys ------------------------------------------------------------------


def test_cancel_asks_first_naming_the_appointment_and_a_post_without_yes_cancels_nothing(
    app, forms
):
    day, times, _page = booked(forms)
    question = forms.client.get("/en/booking/cancel").get_data(as_text=True)
    heading = text_of(re.search(r"<h1>(.*?)</h1>", question, re.S).group(1))
    hour = shown_time(app, day, times[0])
    assert heading.startswith("Cancel your appointment on ") and heading.endswith(
        f" at {hour} (Family reunification)?"
    )
    assert "Yes, cancel it" in question and "No, keep it" in question
    assert 'href="/en/booking/"' in question  # "No, keep it"
    # The button of the page before this change (only the form's token): nothing happens.
    response = forms.post("/en/booking/cancel", {})
    assert response.status_code == 200 and "Yes, cancel it" in response.get_data(as_text=True)
    assert reservations(app) == 1 and starts_at(app).startswith("active")


def test_the_yes_cancels_and_the_page_after_names_what_was_cancelled(app, forms):
    day, times, _page = booked(forms)
    response = forms.post("/en/booking/cancel", {"confirm": "yes"})
    assert response.status_code == 302 and response.location == "/en/booking/"
    assert reservations(app) == 0 and starts_at(app).startswith("cancelled")
    page = text_of(forms.client.get("/en/booking/").get_data(as_text=True))
    hour = shown_time(app, day, times[0])
    assert re.search(rf"Your appointment on .+ at {hour} \(Family reunification\) is cancelled\.",
                     page)  # fmt: skip
    assert forms.client.get("/en/booking/cancel").status_code == 404  # nothing left to cancel
    again = forms.client.post("/en/booking/cancel", data={"confirm": "yes"})  # a second tap
    assert again.status_code == 302 and again.location == "/en/booking/"


def test_moving_shows_the_appointment_asks_from_and_to_and_names_the_new_time(app, forms):
    day, times, _page = booked(forms)
    old, new = shown_time(app, day, times[0]), shown_time(app, day, times[1])
    for step in ("/en/booking/move/", f"/en/booking/move/{day}/"):
        html = forms.client.get(step).get_data(as_text=True)
        current = text_of(re.search(r'<div class="booking-summary">(.*?)</div>', html, re.S)[1])
        assert "Your current appointment" in current and old in current
        assert "Family reunification" in current
    times_page = forms.client.get(f"/en/booking/move/{day}/").get_data(as_text=True)
    confirm_path = f"/en/booking/move/{day}/{times[1]}"
    assert f'href="{confirm_path}"' in times_page  # a link to the question, not a button that moves
    question = forms.client.get(confirm_path).get_data(as_text=True)
    heading = text_of(re.search(r"<h1>(.*?)</h1>", question, re.S).group(1))
    assert re.fullmatch(rf"Move your appointment from .+{old} to .+{new}\?", heading), heading
    assert forms.post(confirm_path, {}).status_code == 200  # without the yes: nothing moves
    assert starts_at(app) == f"active {int(times[0][:2]) - 1:02d}{times[0][2:]}"  # UTC in winter
    response = forms.post(confirm_path, {"confirm": "yes"})
    assert response.status_code == 302 and response.location == "/en/booking/?moved=1"
    assert starts_at(app) == f"active {int(times[1][:2]) - 1:02d}{times[1][2:]}"
    again = forms.client.post(confirm_path, data={"confirm": "yes"})  # a second tap
    assert again.status_code == 302 and again.location == "/en/booking/?moved=1"
    with app.app_context():
        sent = db.get_session().scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "booking_moved")
        )
        assert len(sent.all()) == 2  # one move, told once by text and once by e-mail
    page = text_of(forms.client.get(response.location).get_data(as_text=True))
    assert re.search(rf"Your appointment is moved to .+{new}\.", page)


def test_moving_to_a_time_that_is_not_free_asks_nothing(app, forms):
    day, times, _page = booked(forms)
    response = forms.client.get(f"/en/booking/move/{day}/0810")
    assert response.status_code == 302 and response.location == f"/en/booking/move/{day}/"


# --- 2. what to bring, where, and where the message went -----------------------------------------


def test_the_confirmation_says_what_to_bring_where_and_the_masked_contacts(app, forms):
    _day, _times, html = booked(forms)
    page = text_of(html)
    assert "What to bring" in page and "Your passport, ID card or residence card" in page
    assert "How to get there" in page and "Tinngata 8, Stavanger" in page
    assert 'href="https://www.openstreetmap.org/search?query=Tinngata%208%2C%20Stavanger"' in html
    assert '<bdi dir="ltr">+47\u00a0••••\u00a045\u00a067</bdi>' in html
    assert '<bdi dir="ltr">o•••@example.no</bdi>' in html
    assert "912 34 567" not in html and "91234567" not in html and "olena@" not in html
    later = forms.client.get("/en/booking/").get_data(as_text=True)  # opened again: no "sent"
    assert "••••" not in later and "What to bring" in later


@pytest.mark.parametrize(
    ("number", "masked"),
    [("+4791234567", "+47 •••• 45 67"), ("+380501234567", "+380 •••• 45 67"), ("junk", "••••")],
)
def test_phone_numbers_are_masked_but_for_the_country_and_the_last_four_digits(number, masked):
    assert masking.masked_phone(number) == masked.replace(" ", "\u00a0")


def test_email_addresses_are_masked_but_for_the_first_letter_and_the_domain():
    assert masking.masked_email("Olena.P@example.no") == "O•••@example.no"


def test_the_values_of_a_booking_message_carry_the_visiting_address(app, forms):
    booked(forms)
    with app.app_context():
        session = db.get_session()
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "booking_confirmed")
        ).first()
        values = messages._values(session, message, i18n.get_locale_by_code("en"))
    assert values["address"] == "Tinngata 8, Stavanger"


# --- 3-5. headings, back links, "(.ics)" ---------------------------------------------------------


def test_the_day_page_has_one_heading_and_names_the_topic(client):
    page = client.get("/en/book/family_reunification/").get_data(as_text=True)
    html = page[page.index("<main") : page.index("</main>")]
    assert re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S) == ["Choose a day"]
    caption = html.index("Appointment: Family reunification")
    assert caption < html.index("<h1>")


def test_every_step_has_a_back_link_to_the_step_before_above_the_heading(app, forms):
    day, times = free_times(forms.client)
    steps = {
        "/en/book/": "/en/",
        "/en/book/family_reunification/": "/en/book/",
        f"/en/book/family_reunification/{day}/": "/en/book/family_reunification/",
        f"/en/book/family_reunification/{day}/{times[0]}": f"/en/book/family_reunification/{day}/",
    }
    booked(forms)
    steps.update({
        "/en/booking/cancel": "/en/booking/",
        "/en/booking/move/": "/en/booking/",
        f"/en/booking/move/{day}/": "/en/booking/move/",
        f"/en/booking/move/{day}/{times[1]}": f"/en/booking/move/{day}/",
    })  # fmt: skip
    for path, back in steps.items():
        html = forms.client.get(path).get_data(as_text=True)
        link = f'<a class="back-link" href="{back}">Back</a>'
        assert link in html, path
        assert html.index(link) < html.index("<h1"), path


def test_the_calendar_file_type_is_isolated_from_right_to_left_text(app, forms):
    booked(forms, lang="ar")
    html = forms.client.get("/ar/booking/").get_data(as_text=True)
    assert '<bdi dir="ltr">(.ics)</bdi>' in html


# --- 6. information pages lead to the flows -----------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar", "ti"])
def test_pages_that_send_people_to_book_or_register_link_to_the_flows(client, lang):
    family = client.get(f"/{lang}/family-reunification").get_data(as_text=True)
    assert f'<a class="button" href="/{lang}/family-registration/">' in family
    assert f'href="/{lang}/book/family_reunification/"' in family
    for slug in ("contact", "self-settlement"):
        assert f'href="/{lang}/book/"' in client.get(f"/{lang}/{slug}").get_data(as_text=True)
    intro = client.get(f"/{lang}/introduction-programme").get_data(as_text=True)
    assert f'href="/{lang}/book/introduction_programme/"' in intro
    assert "page-actions" not in client.get(f"/{lang}/privacy").get_data(as_text=True)
