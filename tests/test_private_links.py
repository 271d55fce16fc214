"""Private links for the whole life of a case (issue #12): nobody takes over a booking with a
phone number and a time; a person who lost the link gets a new one sent to the contact on
record, and the old one dies; a sent registration says so wherever its draft is opened."""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal import db
from portal.appointments.models import Booking
from portal.cases.models import Case
from portal.notify import worker
from portal.notify.models import OutboxMessage
from tests.conftest import CSRF_INPUT, FormFiller, audit_rows
from tests.registration_data import fill_in
from tests.test_booking import FORM, first_free_time

REG = "/uk/family-registration"
PHONE = "+380501234567"  # the phone of FORM and of the registration's contact step
FORM_KEY = re.compile(r'name="form_key" type="hidden" value="([^"]+)"')
STATUS_LINK = re.compile(r'href="http://localhost(/uk/status/\?token=[\w-]+)"')
MANAGE_LINK = re.compile(r'href="http://localhost(/uk/booking/\?token=[\w-]+)"')
RESUME_LINK = re.compile(r"(/uk/family-registration/resume\?token=[\w-]+)")


def in_ukrainian(app, text: str) -> str:
    with app.test_request_context("/uk/"), force_locale("uk"):
        return gettext(text)


REPLACED = "This link no longer works, because a newer link has been sent. Use the newest link in your messages, or get a new one here."
DRAFT_REPLACED = "This link no longer works: the registration was opened since with a newer link, on another phone or from a message. Use the newest link, or get a new one here."
NO_LINK = "This page needs your private link. It is in the text message, e-mail or receipt you got, and this phone may not have it any more."
SENT = "Your registration has been sent"


def messages(app, kind=None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(db.get_session().scalars(query))


class Outbox:
    """Sends what is due, like the worker, and keeps the texts."""

    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append((message.channel, message.recipient, message.body))

    def deliver(self, app) -> list[tuple[str, str, str]]:
        before = len(self.sent)
        with app.app_context():
            worker.send_due(db.get_session(), {"sms": self, "email": self}, datetime.now(UTC))
        return self.sent[before:]


def short_link(text: str) -> str:
    return re.search(r"(/k/[\w-]{22})", text).group(1)


def opened(app, link: str):
    """A new browser follows a link (short or long) to the page it opens."""
    browser = app.test_client()
    response = browser.get(link)
    while response.status_code == 302:
        response = browser.get(response.location)
    return browser, response


def ask_again(app, reference: str, contact: str, browser=None):
    filler = FormFiller(browser or app.test_client())
    return filler.post("/uk/link-again/", {"reference": reference, "contact": contact})


# --- booking: a phone number and a time are not a secret -------------------------------------


def book_through_the_form(client, day: str, time: str, **changes):
    filler = FormFiller(client)
    return filler.post(f"/uk/book/general/{day}/{time}", {**FORM, **changes})


def test_someone_else_cannot_take_over_a_booking_with_the_same_phone_and_time(app):
    owner = app.test_client()
    day, times = first_free_time(owner)
    assert book_through_the_form(owner, day, times[0]).status_code == 302
    page = owner.get("/uk/booking/?new=1").get_data(as_text=True)
    reference = re.search(r"TB-\w{4}-\w{4}", page.replace("<wbr>", "")).group(0)
    manage_link = MANAGE_LINK.search(page).group(1)

    stranger = app.test_client()  # a fresh browser: no cookie, only the phone and the time
    response = book_through_the_form(stranger, day, times[0], name="Someone Else")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert reference not in html and "token=" not in html
    assert 'id="phone-error"' in html  # the answer sits beside the phone field
    assert "Someone Else" in html  # what they typed is kept
    assert stranger.get("/uk/booking/").status_code == 404
    assert stranger.get("/uk/booking/calendar.ics").status_code == 404
    assert stranger.post("/uk/booking/cancel").status_code in (302, 404)

    # The owner's cookie and link still work, and the booking is unchanged.
    assert reference in owner.get("/uk/booking/").get_data(as_text=True).replace("<wbr>", "")
    _browser, again = opened(app, manage_link)
    assert again.status_code == 200 and reference in again.get_data(as_text=True).replace(
        "<wbr>", ""
    )
    with app.app_context():
        booking = db.get_session().scalars(select(Booking)).one()
        assert (booking.name, booking.status) == ("Олена Петренко", "active")
    # The link went again, as a text message, to the phone on record only.
    assert [(m.channel, m.recipient) for m in messages(app, "booking_link")] == [("sms", PHONE)]


def test_a_double_tap_makes_one_booking_and_both_answers_carry_the_same_link(app, client):
    day, times = first_free_time(client)
    path = f"/uk/book/general/{day}/{times[0]}"
    page = client.get(path).get_data(as_text=True)
    data = {**FORM, "csrf_token": CSRF_INPUT.search(page).group(1)}
    data["form_key"] = FORM_KEY.search(page).group(1)
    first, second = client.post(path, data=data), client.post(path, data=data)
    assert first.status_code == second.status_code == 302
    cookie = [r.headers["Set-Cookie"].split(";")[0] for r in (first, second)]
    assert cookie[0] == cookie[1] and cookie[0].startswith("booking=")
    with app.app_context():
        assert len(db.get_session().scalars(select(Booking)).all()) == 1


# --- getting back in ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/uk/status/", "/uk/booking/", f"{REG}/registrant", f"{REG}/check", "/uk/booking/move/"],
)
def test_a_private_page_without_a_link_says_how_to_get_it_again(app, client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'action="/uk/link-again/"' in html and 'name="contact"' in html
    assert in_ukrainian(app, NO_LINK) in html


@pytest.fixture
def registered(app, forms):
    """A registration sent from one phone; returns (reference, status link)."""
    fill_in(forms)
    assert forms.post(f"{REG}/submit", {"confirm": "y"}).status_code == 302
    receipt = forms.client.get(f"{REG}/receipt").get_data(as_text=True)
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    return reference, STATUS_LINK.search(receipt).group(1)


def test_a_lost_status_link_is_sent_again_and_the_old_one_dies(app, registered):
    reference, old_link = registered
    outbox = Outbox()
    outbox.deliver(app)  # the receipt
    response = ask_again(
        app, reference.replace("-", "").lower(), "050 123 4567 ".replace("050", "+38050")
    )
    assert response.status_code == 303 and response.location == "/uk/link-again/sent?outcome=sent"
    [(channel, recipient, text)] = outbox.deliver(app)
    assert (channel, recipient) == ("sms", PHONE) and reference in text
    browser, page = opened(app, short_link(text))
    assert page.status_code == 200 and reference in page.get_data(as_text=True).replace("<wbr>", "")
    # The old long link, the receipt's short link and a cookie holding it stop working.
    _, old = opened(app, old_link)
    assert old.status_code == 404 and in_ukrainian(app, REPLACED) in old.get_data(as_text=True)
    [entry] = audit_rows(app, "link_requested")
    assert entry.target_id == reference and entry.details["matched"] is True


def test_details_that_do_not_match_get_the_same_answer_and_change_nothing(app, registered):
    reference, old_link = registered
    matched = ask_again(app, reference, PHONE)
    wrong_phone = ask_again(app, reference, "+4791234567")
    unknown = ask_again(app, "FG-2222-3333", PHONE)
    assert matched.location == wrong_phone.location == unknown.location
    answer = {app.test_client().get(r.location).get_data(as_text=True) for r in (matched, unknown)}
    assert len(answer) == 1
    assert len(messages(app, "status_link")) == 1  # only the matching request sent anything
    assert [e.details["matched"] for e in audit_rows(app, "link_requested")] == [True, False, False]


def test_asking_again_and_again_is_limited_per_reference_and_address(app, registered):
    reference, _ = registered
    answers = [ask_again(app, reference, PHONE).status_code for _ in range(6)]
    assert answers == [303] * 5 + [429]
    # Someone who knows only the reference cannot use up its owner's attempts...
    other = FormFiller(app.test_client())
    assert (
        other.post(
            "/uk/link-again/", {"reference": reference, "contact": "+4791234567"}
        ).status_code
        == 303
    )


def test_switching_language_on_the_link_again_form_keeps_what_was_typed(app, registered, forms):
    reference, _ = registered
    page = forms.client.get("/uk/link-again/").get_data(as_text=True)
    assert 'form="link-again-form" formaction="/ar/link-again/"' in page
    typed = {"reference": reference.lower(), "contact": "+47 912"}  # not a number yet
    response = forms.client.post(
        "/ar/link-again/",
        data={**typed, "switch_language": "ar", "csrf_token": CSRF_INPUT.search(page).group(1)},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert f'value="{reference.lower()}"' in html and 'value="+47 912"' in html
    assert "error-summary" not in html  # nothing was asked yet
    assert messages(app, "status_link") == [] and audit_rows(app, "link_requested") == []


def test_switching_language_does_not_use_up_the_addresss_link_requests(make_app):
    """Everyone at a reception centre shares one address: showing the form in another language
    must not count as asking for a link."""
    app = make_app(RATELIMIT_LINK_REQUESTS="3 per hour")
    forms = FormFiller(app.test_client())
    for code in ("ar", "uk", "fa", "so", "ti"):
        page = forms.client.get(f"/{code}/link-again/").get_data(as_text=True)
        switched = forms.client.post(
            f"/{code}/link-again/",
            data={"reference": "FG-2222-3333", "contact": PHONE, "switch_language": code,
                  "csrf_token": CSRF_INPUT.search(page).group(1)},
        )  # fmt: skip
        assert switched.status_code == 200
    asked = forms.post("/uk/link-again/", {"reference": "FG-2222-3333", "contact": PHONE})
    assert asked.status_code == 303
    for _ in range(2):
        forms.post("/uk/link-again/", {"reference": "FG-2222-4444", "contact": PHONE})
    # The real requests still count: the fourth is refused.
    assert (
        forms.post("/uk/link-again/", {"reference": "FG-2222-5555", "contact": PHONE}).status_code
        == 429
    )


def test_forms_without_their_token_do_not_use_up_the_owners_attempts(app, registered):
    reference, _ = registered
    stranger = app.test_client()
    for _ in range(6):  # no CSRF token: refused, and not counted against the owner
        stranger.post("/uk/link-again/", data={"reference": reference, "contact": PHONE})
    assert ask_again(app, reference, PHONE).status_code == 303


def test_the_answer_never_tells_whether_the_details_matched(app, registered):
    reference, _ = registered
    matched = [ask_again(app, reference, PHONE).location for _ in range(4)]
    unmatched = [ask_again(app, "FG-2222-3333", PHONE).location for _ in range(4)]
    assert set(matched) == set(unmatched) == {"/uk/link-again/sent?outcome=sent"}


def test_the_answer_takes_the_same_time_matched_or_not(make_app, registered):
    import time

    app = make_app(LINK_AGAIN_ANSWER_SECONDS=0.3)
    reference, _ = registered
    for contact in (PHONE, "+4791234567"):
        started = time.monotonic()
        assert ask_again(app, reference, contact).status_code == 303
        assert time.monotonic() - started >= 0.3


def test_a_booking_link_is_sent_again_to_the_contact_on_record(app):
    owner = app.test_client()
    day, times = first_free_time(owner)
    book_through_the_form(owner, day, times[0], email="Olena@Example.org")
    reference = re.search(
        r"TB-\w{4}-\w{4}", owner.get("/uk/booking/").get_data(as_text=True).replace("<wbr>", "")
    )[0]
    outbox = Outbox()
    outbox.deliver(app)
    assert ask_again(app, reference, "olena@example.org").status_code == 303
    [(channel, recipient, text)] = outbox.deliver(app)
    assert (channel, recipient) == ("email", "olena@example.org")
    _, page = opened(app, short_link(text))
    assert page.status_code == 200 and reference in page.get_data(as_text=True).replace("<wbr>", "")
    lost = owner.get("/uk/booking/")  # the old cookie
    assert lost.status_code == 404 and in_ukrainian(app, REPLACED) in lost.get_data(as_text=True)


def test_a_saved_registration_is_found_by_the_phone_given_in_it(app, forms):
    fill_in(forms)  # every step, contact included, not sent
    saved = forms.client.get(f"{REG}/saved").get_data(as_text=True)
    old_resume = RESUME_LINK.search(saved).group(1)
    assert ask_again(app, "", PHONE).status_code == 303
    [(_, recipient, text)] = [m for m in Outbox().deliver(app) if "/k/" in m[2]]
    assert recipient == PHONE
    _, page = opened(app, short_link(text))
    assert page.status_code == 200  # the check-your-answers page of the saved registration
    _, old = opened(app, old_resume)
    assert old.status_code == 404 and in_ukrainian(app, DRAFT_REPLACED) in old.get_data(
        as_text=True
    )


# --- a registration saved on one phone and sent from another -------------------------------


def test_a_draft_sent_from_another_phone_says_so_on_the_first(app, forms):
    first_phone = forms.client
    fill_in(forms, until="contact")
    forms.post(f"{REG}/send-link", {"phone": PHONE, "email": ""}, token_from=f"{REG}/saved")
    [(_, _, sms_text)] = Outbox().deliver(app)
    saved = first_phone.get(f"{REG}/saved").get_data(as_text=True)
    second_phone, _page = opened(app, RESUME_LINK.search(saved).group(1))
    second = FormFiller(second_phone)
    second.post(f"{REG}/contact", {"phone": PHONE, "email": "", "preferred_channel": "sms"})
    assert second.post(f"{REG}/submit", {"confirm": "y"}).status_code == 302
    receipt = second_phone.get(f"{REG}/receipt").get_data(as_text=True)
    status_link = STATUS_LINK.search(receipt).group(1)
    with app.app_context():
        case = db.get_session().scalars(select(Case)).one()

    sent_page = in_ukrainian(app, SENT)
    for page in (first_phone.get(f"{REG}/permit"), first_phone.get(f"{REG}/receipt")):
        html = page.get_data(as_text=True)
        assert page.status_code == 404 and sent_page in html and case.reference in html
        assert "token=" not in html  # nothing of the case but its reference and date
    start = first_phone.get(f"{REG}/").get_data(as_text=True)
    assert case.reference in start.replace(
        "<wbr>", ""
    )  # the start page says it was sent, not "start again"
    _, from_sms = opened(app, short_link(sms_text))  # the SMS link, used up by the second phone
    assert from_sms.status_code == 404 and sent_page in from_sms.get_data(as_text=True)

    # Opening the second phone's own draft link after sending renews nothing: the receipt and
    # its status link stay the same, and the status link works.
    again = second_phone.get(f"{REG}/saved")  # a sent draft: goes to the receipt
    assert again.status_code == 302
    assert (
        STATUS_LINK.search(second_phone.get(f"{REG}/receipt").get_data(as_text=True)).group(1)
        == status_link
    )
    _, status = opened(app, status_link)
    assert status.status_code == 200 and case.reference in status.get_data(as_text=True).replace(
        "<wbr>", ""
    )


def test_the_receipt_shows_the_same_status_link_after_a_double_submit(app, forms):
    fill_in(forms)
    token = forms.csrf_token(f"{REG}/submit")
    for _ in range(2):
        forms.client.post(f"{REG}/submit", data={"confirm": "y", "csrf_token": token})
    links = {
        STATUS_LINK.search(forms.client.get(f"{REG}/receipt").get_data(as_text=True)).group(1)
        for _ in range(2)
    }
    assert len(links) == 1
    _, status = opened(app, links.pop())
    assert status.status_code == 200


# --- staff send a new link to someone who phones -------------------------------------------


def test_a_caseworker_sends_a_new_status_link_and_it_is_audited(app, staff, registered):
    reference, old_link = registered
    staff.as_role("caseworker", ("settlement",))
    confirm = staff.client.get(f"/staff/cases/{reference}/new-link")
    assert confirm.status_code == 200 and "SMS" in confirm.get_data(as_text=True)
    assert messages(app, "status_link") == []  # asked first, nothing sent yet
    response = staff.forms.post(f"/staff/cases/{reference}/new-link", {})
    assert response.status_code == 302
    assert [(m.channel, m.recipient) for m in messages(app, "status_link")] == [("sms", PHONE)]
    [entry] = audit_rows(app, "link_sent_by_staff")
    assert entry.target_id == reference and entry.details == {"channels": ["sms"]}
    assert opened(app, old_link)[1].status_code == 404


@pytest.mark.parametrize(("role", "departments", "status"), [
    ("reception", (), 403),
    ("caseworker", ("introduction",), 404),
])  # fmt: skip
def test_staff_who_may_not_see_the_case_cannot_send_its_link(
    app, staff, registered, role, departments, status
):
    reference, _ = registered
    staff.as_role(role, departments)
    assert staff.client.get(f"/staff/cases/{reference}/new-link").status_code == status
    assert staff.client.post(f"/staff/cases/{reference}/new-link").status_code in (status, 400)
    assert messages(app, "status_link") == [] and audit_rows(app, "link_sent_by_staff") == []


def test_the_front_desk_sends_a_booking_its_link_again(app, staff):
    owner = app.test_client()
    day, times = first_free_time(owner)
    book_through_the_form(owner, day, times[0])
    with app.app_context():
        booking = db.get_session().scalars(select(Booking)).one()
    staff.as_role("reception", ())
    assert staff.client.get(f"/staff/desk/bookings/{booking.id}/new-link").status_code == 200
    response = staff.forms.post(f"/staff/desk/bookings/{booking.id}/new-link", {})
    assert response.status_code == 302
    assert [(m.channel, m.recipient) for m in messages(app, "booking_link")] == [("sms", PHONE)]
    assert audit_rows(app, "link_sent_by_staff")[0].target_id == booking.reference
    assert owner.get("/uk/booking/").status_code == 404  # the old link died


# --- what the public can make us send ------------------------------------------------------


def test_a_drafts_link_goes_to_three_addresses_at_most(app, forms):
    fill_in(forms, until="permit")
    forms.client.get(f"{REG}/saved")
    for n in range(3):
        response = forms.post(f"{REG}/send-link", {"phone": f"+479123450{n}", "email": ""},
                              token_from=f"{REG}/saved")  # fmt: skip
        assert response.status_code == 302
    refused = forms.post(f"{REG}/send-link", {"phone": "+4791234509", "email": ""},
                         token_from=f"{REG}/saved")  # fmt: skip
    assert refused.status_code == 429 and 'id="phone-error"' in refused.get_data(as_text=True)
    assert len(messages(app, "draft_link")) == 3


def test_typed_addresses_get_a_few_messages_a_day_and_cannot_block_a_lost_link(app, forms):
    """Three saved registrations send their link to one number (the daily share of an address
    someone typed); a fourth is refused. The owner of that number still gets their own link
    again: messages to the contact on record are not held by what others typed."""
    for n in range(4):
        drafts = FormFiller(app.test_client())
        fill_in(drafts, until="permit")
        drafts.client.get(f"{REG}/saved")
        response = drafts.post(f"{REG}/send-link", {"phone": PHONE, "email": ""},
                               token_from=f"{REG}/saved")  # fmt: skip
        assert response.status_code == (302 if n < 3 else 429)
    fill_in(forms)  # a registration whose contact is that number
    forms.post(f"{REG}/submit", {"confirm": "y"})
    with app.app_context():
        reference = db.get_session().scalars(select(Case.reference)).one()
    assert ask_again(app, reference, PHONE).location.endswith("outcome=sent")
    assert len(messages(app, "status_link")) == 1


def test_the_hourly_budget_pauses_public_messages_and_tells_the_administrators(
    make_app, staff_login_for
):
    app = make_app(PUBLIC_MESSAGES_PER_HOUR=2)
    for n in range(3):
        response = ask_again(app, "", f"+47912345{n:02d}")
        assert response.status_code == 303
    # Nothing matched (no drafts), so nothing was sent and the budget is untouched...
    assert ask_again(app, "", "+4791234599").location.endswith("outcome=sent")
    with app.app_context():
        session = db.get_session()
        for n in range(2):
            session.add(OutboxMessage(dedupe_key=f"test:{n}", kind="draft_link", channel="sms",
                                      recipient=f"+4790000{n:03d}", locale="uk", status="sent",
                                      attempts=1, next_attempt_at=datetime.now(UTC),
                                      requested_by_public=True))  # fmt: skip
        session.commit()
    # ...now it is spent: people are told plainly, and administrators see it.
    assert ask_again(app, "", "+4791234598").location.endswith("outcome=paused")
    ask_again(app, "", "+4791234597")
    assert len(audit_rows(app, "public_messages_paused")) == 1  # once an hour
    admin = staff_login_for(app, "admin")
    assert "PORTAL_PUBLIC_MESSAGES_PER_HOUR" in admin.get("/staff/cases/").get_data(as_text=True)


@pytest.fixture
def staff_login_for():
    from tests.conftest import StaffLogin

    def _login(app, role):
        login = StaffLogin(app, app.test_client())
        login.as_role(role, ())
        return login.client

    return _login


# --- what an attacker's review found (each held against a fix) -----------------------------


def test_an_address_the_link_was_once_sent_to_cannot_take_a_draft_back(app):
    """A helper sends the draft's link to their own e-mail; the person goes on alone (the link
    is renewed) and gives their own contact. The helper's e-mail finds nothing afterwards."""
    helper = FormFiller(app.test_client())
    fill_in(helper, until="contact")
    helper.post(f"{REG}/send-link", {"phone": "", "email": "helper@example.org"},
                token_from=f"{REG}/saved")  # fmt: skip
    resume = RESUME_LINK.search(helper.client.get(f"{REG}/saved").get_data(as_text=True)).group(1)
    person_browser, _page = opened(app, resume)
    person = FormFiller(person_browser)
    person.post(f"{REG}/contact", {"phone": PHONE, "email": "", "preferred_channel": "sms"})
    Outbox().deliver(app)
    assert ask_again(app, "", "helper@example.org").status_code == 303
    assert [m.recipient for m in messages(app, "draft_link")] == ["helper@example.org"]
    assert person_browser.get(f"{REG}/check").status_code == 200  # the person is not cut off
    assert ask_again(app, "", PHONE).status_code == 303  # the contact given finds it
    assert [m.recipient for m in messages(app, "draft_link")][-1] == PHONE


def test_copies_of_a_sent_drafts_link_never_show_the_status_link(app, forms):
    fill_in(forms, until="contact")
    forms.post(f"{REG}/send-link", {"phone": "", "email": "copy@example.org"},
               token_from=f"{REG}/saved")  # fmt: skip
    [(_, _, text)] = Outbox().deliver(app)
    forms.post(f"{REG}/contact", {"phone": PHONE, "email": "", "preferred_channel": "sms"})
    forms.post(f"{REG}/send-link", {"phone": "", "email": "late@example.org"},
               token_from=f"{REG}/saved")  # fmt: skip
    assert forms.post(f"{REG}/submit", {"confirm": "y"}).status_code == 302
    assert STATUS_LINK.search(forms.client.get(f"{REG}/receipt").get_data(as_text=True))
    for _ in range(2):  # an unused SMS link, opened after sending, again and again
        _browser, page = opened(app, short_link(text))
        html = page.get_data(as_text=True)
        assert in_ukrainian(app, SENT) in html and "/status/?token=" not in html
    # The link waiting to go to late@example.org is not sent any more.
    assert [m.status for m in messages(app, "draft_link")][-1] == "cancelled"


def test_trying_a_phone_numbers_times_is_refused_after_a_few_tries(app):
    """Another person's number: every refused form answers the same, whether the number has a
    booking at that time or two at others; after three refusals a day the number gets 429."""
    owner = app.test_client()
    day, times = first_free_time(owner)
    book_through_the_form(owner, day, times[0])
    book_through_the_form(owner, day, times[1])
    stranger = app.test_client()
    answers = []
    for time in times[:4]:
        response = book_through_the_form(stranger, day, time, name="Someone Else")
        error = re.search(r'id="phone-error">(.*?)</p>', response.get_data(as_text=True), re.S)
        answers.append((response.status_code, error and error.group(1)))
    assert [status for status, _ in answers] == [200, 200, 200, 429]
    assert len({text for _, text in answers[:3]}) == 1  # the same time or not: one answer


def test_asking_at_once_twice_is_not_a_500(app, registered):
    """A double tap, or the same link opened twice at once: the second waits for the first."""
    import threading

    reference, _ = registered
    results, barrier = [], threading.Barrier(4)

    def ask():
        filler = FormFiller(app.test_client())
        token = filler.csrf_token("/uk/link-again/")
        barrier.wait()
        response = filler.client.post("/uk/link-again/", data={
            "csrf_token": token, "reference": reference, "contact": PHONE})  # fmt: skip
        results.append(response.status_code)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303] * 4


def test_no_typed_phone_or_reference_in_the_limit_store_or_the_log(app, registered, caplog):
    import sqlite3

    reference, _ = registered
    for _ in range(6):
        ask_again(app, reference, PHONE)
    path = app.config["RATELIMIT_STORAGE_URI"].removeprefix("sqlite:///")
    keys = " ".join(row[0] for row in sqlite3.connect(path).execute("SELECT key FROM hit"))
    assert "link-again:" in keys
    for secret in (PHONE, PHONE[1:], reference):
        assert secret not in keys
        assert not any(secret in record.getMessage() for record in caplog.records)


def test_the_staff_page_shows_no_contact_details_and_refuses_a_past_booking(app, staff):
    owner = app.test_client()
    day, times = first_free_time(owner)
    book_through_the_form(owner, day, times[0], email="olena@example.org")
    with app.app_context():
        booking = db.get_session().scalars(select(Booking)).one()
    staff.as_role("reception", ())
    page = staff.client.get(f"/staff/desk/bookings/{booking.id}/new-link").get_data(as_text=True)
    assert "67" in page and "123 4567" not in page and "olena@" not in page
    assert "o•••@example.org" in page
    owner_forms = FormFiller(owner)
    owner_forms.post("/uk/booking/cancel", {"confirm": "yes"})
    refused = staff.forms.post(f"/staff/desk/bookings/{booking.id}/new-link", {},
                               token_from="/staff/desk/")  # fmt: skip
    assert refused.status_code == 302 and messages(app, "booking_link") == []


@pytest.mark.parametrize(
    "typed", ["fg\u200f٢٣٤٦ bcdf", "FG\u20112346\u2212BCDF", "\u2066fg 2346 bcdf\u2069"]
)
def test_references_typed_with_other_digits_dashes_and_marks_are_understood(typed):
    from portal.links.references import normalise

    assert normalise(typed) == "FG-2346-BCDF"


def test_an_address_with_arabic_digits_for_a_number_is_404(app, staff):
    staff.as_role("reception", ())
    assert staff.client.get("/staff/desk/bookings/%D9%A1/new-link").status_code == 404


def test_a_resume_link_opened_several_times_at_once_is_not_a_500(app, forms):
    import threading

    fill_in(forms, until="permit")
    resume = RESUME_LINK.search(forms.client.get(f"{REG}/saved").get_data(as_text=True)).group(1)
    results, barrier = [], threading.Barrier(5)

    def open_it():
        browser = app.test_client()
        barrier.wait()
        results.append(browser.get(resume).status_code)

    threads = [threading.Thread(target=open_it) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(302) == 1 and set(results) <= {302, 404}  # one wins; the rest: replaced


def test_a_reference_breaks_only_after_its_dashes():
    """Read out at the desk, a reference must never split inside a group ("K3WM" / "-92KD")."""
    from portal.links.references import breakable

    assert str(breakable("TB-K3WM-92KD")) == "TB-<wbr>K3WM-<wbr>92KD"
    assert str(breakable("<b>-x")) == "&lt;b&gt;-<wbr>x"
