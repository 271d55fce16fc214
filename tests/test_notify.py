"""Notifications: what each message says in every language, the outbox filled by the events that
cause messages, de-duplication, the worker's retries and a worker killed mid-way."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import db
from portal.config import ROOT
from portal.i18n import load_registry
from portal.notify import texts, worker
from portal.notify.models import KINDS, OutboxMessage
from portal.notify.transports import TransportError
from portal.profile import clock
from portal.profile import load as load_profile

LOCALES = list(load_registry().values())
BASE = "https://ankomst.stavanger.kommune.no"  # a realistic public address
LINK = BASE + "/k/" + "x" * 22
BOOK_LINK = BASE + "/fa-af/book/"


def _values(kind: str, gettext_locale: str) -> dict:
    when = texts.short_when(
        datetime(2026, 12, 24, 10, 30, tzinfo=ZoneInfo("Europe/Oslo")), gettext_locale
    )
    link = BOOK_LINK if kind in ("booking_cancelled", "booking_closed") else LINK
    return {
        "when": when,
        "reference": "TB-7K3M-Q9TD",
        "link": link,
        "address": "Tinngata 8, Stavanger",
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("locale", LOCALES, ids=lambda loc: loc.code)
def test_every_message_renders_in_every_language_within_two_segments(app, kind, locale):
    with app.test_request_context():
        values = _values(kind, locale.gettext)
        sms, subject, body = texts.render(
            kind, locale.gettext, values, service="Flyktningtjenesten", phone="51 91 40 20"
        )
    with app.test_request_context():
        english, _, _ = texts.render(kind, "en", values, service="x", phone="y")
    assert values["link"] in sms and values["link"] in body
    for key in (
        "reference",
        "when",
        "address",
    ):  # what the English text gives, every language gives
        if values[key] in english:
            assert values[key] in sms, (locale.code, kind, key)
    encoding, parts = texts.segments(sms)
    assert parts <= 2, (locale.code, kind, encoding, len(sms), sms)
    assert subject and "%(" not in subject and "%(" not in sms
    if locale.code != "en":
        assert sms != english, f"{locale.code} {kind} is not translated"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("gsm7", 1)), ("a" * 161, ("gsm7", 2)), ("æøå ÆØÅ" * 20, ("gsm7", 1)),
        ("€" * 80, ("gsm7", 1)), ("€" * 81, ("gsm7", 2)), ("ж" * 70, ("ucs2", 1)),
        ("ж" * 71, ("ucs2", 2)), ("ሰላም" * 45, ("ucs2", 3)), ("مرحبا" * 14, ("ucs2", 1)),
    ],
)  # fmt: skip
def test_segments_follow_gsm7_and_ucs2(text, expected):
    assert texts.segments(text) == expected


# --- the outbox, filled by what happens ------------------------------------------------------
from tests.conftest import csrf_token_in, form_key  # noqa: E402
from tests.test_booking import MONDAY_0800, NOW, book, details  # noqa: E402


class Recorder:
    """A transport that keeps what it was given (and can fail on demand)."""

    def __init__(self, fail_with=None):
        self.sent = []
        self.fail_with = fail_with

    def send(self, message):
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((message.channel, message.recipient, message.body, message.subject))


def _rows(app, **where):
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in where.items():
            query = query.where(getattr(OutboxMessage, key) == value)
        return db.get_session().scalars(query).all()


def _send(app, now, sms=None, email=None):
    sms, email = sms or Recorder(), email or Recorder()
    with app.app_context():
        counts = worker.send_due(db.get_session(), {"sms": sms, "email": email}, now=now)
    return counts, sms, email


def test_a_booking_queues_a_confirmation_and_a_reminder_once(app):
    book(app, key="one-form-key-sent-twice-000000")
    book(app, key="one-form-key-sent-twice-000000")  # the same form again
    rows = _rows(app)
    assert [(r.kind, r.channel, r.recipient) for r in rows] == [
        ("booking_confirmed", "sms", "+380501234567"), ("booking_reminder", "sms", "+380501234567"),
    ]  # fmt: skip
    reminder = rows[1]
    assert clock.utc(reminder.next_attempt_at) == datetime(
        2030, 1, 6, 16, 0, tzinfo=UTC
    )  # 17:00 Oslo the day before


def test_the_worker_sends_in_the_persons_language_with_a_short_link_that_works(app, client):
    booking, _ = book(app)
    counts, sms, _ = _send(app, NOW)
    assert counts["sent"] == 1  # the reminder is not due yet
    channel, recipient, body, _ = sms.sent[0]
    # Where to come, and the link to the booking (whose page shows the reference).
    assert "Tinngata 8, Stavanger" in body and "/k/" in body
    assert texts.segments(body)[1] <= 2
    link = re.search(r"(/k/[\w-]{22})", body).group(1)
    opened = client.get(link)
    assert opened.status_code == 302 and "/uk/booking/?token=" in opened.location
    page = client.get(opened.location, follow_redirects=True)
    assert booking.reference in page.get_data(as_text=True).replace("<wbr>", "")
    [row] = _rows(app, kind="booking_confirmed")
    assert (
        row.status == "sent" and row.body is None and row.params is None
    )  # the link leaves the database


def test_the_reminder_tells_the_time_as_it_is_then_and_not_for_a_cancelled_booking(app):
    from portal.appointments import services

    booking, token = book(app)
    with app.app_context():
        services.move(
            db.serialised_session(),
            app.extensions["profile"],
            token,
            MONDAY_0800 + timedelta(hours=1),
            NOW,
        )
    reminders = _rows(app, kind="booking_reminder")
    assert [r.status for r in reminders] == ["cancelled", "pending"]
    # the confirmation not yet sent is not needed: the "moved" message gives the new time
    assert [r.kind for r in _rows(app, status="pending")] == ["booking_moved", "booking_reminder"]
    counts, sms, _ = _send(app, datetime(2030, 1, 6, 16, 1, tzinfo=UTC))
    assert counts["sent"] == 2
    assert "09:00" in sms.sent[-1][2]  # 08:00 moved to 09:00 Oslo time
    second, token2 = book(app, phone="+4791000009")
    with app.app_context():
        services.cancel(db.serialised_session(), token2, NOW)
    assert [r.status for r in _rows(app, kind="booking_reminder", booking_id=second.id)] == [
        "cancelled"
    ]
    # the confirmation that had not gone yet is not sent after the cancellation
    assert [r.kind for r in _rows(app, booking_id=second.id, status="pending")] == [
        "booking_cancelled"
    ]


def test_retries_back_off_and_end_in_failed(app):
    book(app)
    failing = Recorder(fail_with=TransportError("gateway answered 503"))
    now = NOW
    for attempt in range(1, worker.MAX_ATTEMPTS + 1):
        counts, _, _ = _send(app, now, sms=failing)
        [row] = _rows(app, kind="booking_confirmed")
        assert row.attempts == attempt
        if attempt < worker.MAX_ATTEMPTS:
            assert row.status == "pending" and row.last_error == "gateway answered 503"
            assert clock.utc(row.next_attempt_at) == now + worker.BACKOFF[attempt - 1]
            assert _send(app, now, sms=failing)[0]["retry"] == 0  # not due again yet
            now = clock.utc(row.next_attempt_at)
    assert row.status == "failed" and row.body is None


def test_a_permanent_refusal_fails_at_once(app):
    book(app)
    _send(app, NOW, sms=Recorder(fail_with=TransportError("gateway answered 400", permanent=True)))
    [row] = _rows(app, kind="booking_confirmed")
    assert (row.status, row.attempts) == ("failed", 1)


def test_a_worker_killed_between_sending_and_marking_loses_nothing(app):
    book(app)

    class DiesAfterSending(Recorder):
        def send(self, message):
            super().send(message)
            raise KeyboardInterrupt  # the process is killed before it marks the message

    dying = DiesAfterSending()
    with pytest.raises(KeyboardInterrupt):
        _send(app, NOW, sms=dying)
    [row] = _rows(app, kind="booking_confirmed")
    assert row.status == "sending" and row.body  # claimed, text kept for the retry
    assert _send(app, NOW + timedelta(minutes=1))[0]["sent"] == 0  # another worker leaves it alone
    counts, sms, _ = _send(app, NOW + worker.LEASE + timedelta(seconds=1))
    assert counts["sent"] == 1 and sms.sent[0][2] == dying.sent[0][2]  # the same text again
    assert _rows(app, kind="booking_confirmed")[0].status == "sent"


def test_a_registration_and_a_caseworker_message_notify_without_details(app, forms, staff, client):
    from tests.registration_data import STEPS, fill_in

    fill_in(forms, lang="ar")
    forms.post("/ar/family-registration/submit", {"confirm": "y"})
    [receipt] = _rows(app, kind="registration_received")
    assert (receipt.channel, receipt.recipient, receipt.locale) == ("sms", "+380501234567", "ar")
    staff_client = app.test_client()
    from tests.conftest import StaffLogin

    caseworker = StaffLogin(app, staff_client)
    caseworker.as_role("caseworker")
    reference = receipt and _rows(app)[0].case_id
    with app.app_context():
        from portal.cases.models import Case

        case_reference = db.get_session().get(Case, reference).reference
    secret_note = "Fødselsnummer 15076500565 is in the papers; do not tell"
    caseworker.forms.post(f"/staff/cases/{case_reference}/message", {"message": secret_note},
                          token_from=f"/staff/cases/{case_reference}")  # fmt: skip
    caseworker.forms.post(f"/staff/cases/{case_reference}/note", {"note": "internal note text"},
                          token_from=f"/staff/cases/{case_reference}")  # fmt: skip
    assert [r.kind for r in _rows(app, case_id=reference)] == [
        "registration_received",
        "caseworker_message",
    ]
    counts, sms, _ = _send(app, clock.now())
    assert counts["sent"] == 2
    sensitive = [
        STEPS["reference-person"]["national_id"], STEPS["family-members/0"]["duf_number"],
        STEPS["family-members/0"]["duf_number"].replace(" ", ""), "internal note text", "15076500565",
        "do not tell", STEPS["reference-person"]["full_name"],
    ]  # fmt: skip
    for _channel, _recipient, body, _subject in sms.sent:
        assert case_reference in body
        for secret in sensitive:
            assert secret not in body


# --- what staff see ---------------------------------------------------------------------------
def test_staff_see_what_was_sent_and_admins_can_send_a_failed_message_again(app, staff, client):
    booking, _ = book(app)
    _send(app, NOW, sms=Recorder(fail_with=TransportError("gateway answered 400", permanent=True)))
    staff.as_role("reception", ())
    day = client.get("/staff/desk/?day=2030-01-07").get_data(as_text=True)
    assert "Booking confirmed – Failed" in day and "Reminder the day before – Waiting" in day
    assert client.get("/staff/admin/outbox/").status_code == 403
    staff.logout()
    staff.as_role("admin", ())
    page = client.get("/staff/admin/outbox/").get_data(as_text=True)
    assert "gateway answered 400" in page and "Failed: 1" in page
    [failed] = _rows(app, status="failed")
    token = csrf_token_in(page)
    response = client.post(f"/staff/admin/outbox/{failed.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert _rows(app, id=failed.id)[0].status == "pending"
    counts, sms, _ = _send(app, clock.now())
    assert counts["sent"] == 1 and "Tinngata 8, Stavanger" in sms.sent[0][2]
    with app.app_context():
        from portal.audit.models import AuditEntry

        assert (
            db.get_session()
            .scalars(select(AuditEntry.action).where(AuditEntry.action == "message_retried"))
            .all()
        )


def test_cancelling_the_bookings_of_a_closure_tells_each_person(app, staff, client):
    from portal.appointments.models import Closure

    book(app, phone="+4791000001")
    book(app, phone="+4791000002")
    with app.app_context():
        session = db.get_session()
        closure = Closure(
            first_day=MONDAY_0800.date(), last_day=MONDAY_0800.date(), reason="Strike"
        )
        session.add(closure)
        session.commit()
        closure_id = closure.id
    staff.as_role("reception", ())
    confirm = f"/staff/closures/{closure_id}/cancel-bookings"  # the confirmation page
    page = client.get(confirm).get_data(as_text=True)
    listed = re.search(r'name="bookings" type="hidden" value="([0-9,]+)"', page).group(1)
    response = client.post(confirm, data={"csrf_token": csrf_token_in(page), "bookings": listed})
    assert response.status_code == 303
    closed = _rows(app, kind="booking_closed")
    assert sorted(r.recipient for r in closed) == ["+4791000001", "+4791000002"]
    assert all(r.status == "cancelled" for r in _rows(app, kind="booking_reminder"))
    counts, sms, _ = _send(app, NOW)
    closed_texts = [body for _c, _r, body, _s in sms.sent if "/book/" in body]
    assert len(closed_texts) == 2 and all("/uk/book/" in body for body in closed_texts)


def test_the_case_page_lists_the_messages(app, forms, staff, client):
    from tests.registration_data import fill_in

    fill_in(forms, lang="uk")
    forms.post("/uk/family-registration/submit", {"confirm": "y"})
    with app.app_context():
        from portal.cases.models import Case

        reference = db.get_session().scalars(select(Case.reference)).one()
    staff_client = app.test_client()
    from tests.conftest import StaffLogin

    StaffLogin(app, staff_client).as_role("caseworker")
    page = staff_client.get(f"/staff/cases/{reference}").get_data(as_text=True)
    assert "Registration received" in page and "Waiting" in page and "+380501234567" in page


def test_an_unexpected_error_is_a_retry_and_endless_reclaims_end_in_failed(app):
    book(app)
    counts, _, _ = _send(app, NOW, sms=Recorder(fail_with=ValueError("bug in a gateway library")))
    [row] = _rows(app, kind="booking_confirmed")
    assert counts["retry"] == 1 and row.status == "pending" and "ValueError" in row.last_error

    class Dies(Recorder):
        def send(self, message):
            raise KeyboardInterrupt

    now = clock.utc(row.next_attempt_at)
    for _ in range(worker.MAX_ATTEMPTS - 1):  # a worker dies on this message every time
        with pytest.raises(KeyboardInterrupt):
            _send(app, now, sms=Dies())
        now += worker.LEASE + timedelta(seconds=1)
    counts, sms, _ = _send(app, now)
    assert counts["failed"] == 1 and not sms.sent
    assert _rows(app, kind="booking_confirmed")[0].status == "failed"


def test_the_saved_registration_link_is_sent_when_asked_for(app, forms, client):
    from tests.registration_data import fill_in

    fill_in(forms, lang="ti", until="permit")
    forms.post(
        "/ti/family-registration/permit",
        {"action": "save"},
        token_from="/ti/family-registration/permit",
    )
    empty = forms.post(
        "/ti/family-registration/send-link",
        {"phone": "", "email": ""},
        token_from="/ti/family-registration/saved",
    )
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    bad = forms.post(
        "/ti/family-registration/send-link",
        {"phone": "12", "email": ""},
        token_from="/ti/family-registration/saved",
    )
    assert bad.status_code == 400 and 'value="12"' in bad.get_data(as_text=True)
    for _ in range(2):  # asking twice sends one message
        response = forms.post("/ti/family-registration/send-link", {"phone": "+4791234567", "email": "a@example.org"},
                              token_from="/ti/family-registration/saved")  # fmt: skip
        assert response.status_code == 302
    rows = _rows(app, kind="draft_link")
    assert [(r.channel, r.recipient, r.locale, r.params) for r in rows] == [
        ("sms", "+4791234567", "ti", None), ("email", "a@example.org", "ti", None),
    ]  # fmt: skip
    counts, sms, email = _send(app, clock.now())
    body = sms.sent[0][2]
    assert texts.segments(body)[1] <= 2
    other_phone = app.test_client()  # the link opens the draft on another device
    opened = other_phone.get(re.search(r"(/k/[\w-]{22})", body).group(1))
    assert "/ti/family-registration/resume?token=" in opened.location
    resumed = other_phone.get(opened.location)
    assert (
        resumed.status_code == 302
        and "/ti/family-registration/your-registration" in resumed.location
    )


def test_purge_forgets_finished_messages_after_the_retention_days(app, runner):
    book(app)
    _send(app, NOW)  # the confirmation is sent; the reminder waits
    with app.app_context():
        session = db.get_session()
        for message in session.scalars(select(OutboxMessage)):
            message.created_at = clock.now() - timedelta(days=31)
        session.commit()
    result = runner.invoke(args=["purge"])
    assert "Deleted 1 finished message(s)" in result.output
    assert [r.kind for r in _rows(app)] == ["booking_reminder"]


def test_moving_back_and_forth_tells_the_person_each_time_and_reminds_once(app):
    from portal.appointments import services

    booking, token = book(app)
    later = MONDAY_0800 + timedelta(hours=1)
    with app.app_context():
        profile = app.extensions["profile"]
        for target in (later, MONDAY_0800, later):
            services.move(db.serialised_session(), profile, token, target, NOW)
    assert len(_rows(app, kind="booking_moved")) == 3
    assert [r.status for r in _rows(app, kind="booking_reminder")].count("pending") == 1
    counts, sms, _ = _send(app, datetime(2030, 1, 6, 16, 1, tzinfo=UTC))
    assert "09:00" in sms.sent[-1][2]


def test_a_confirmation_waiting_for_a_retry_is_not_sent_after_a_cancellation(app):
    from portal.appointments import services

    booking, token = book(app)
    _send(app, NOW, sms=Recorder(fail_with=TransportError("gateway answered 503")))
    with app.app_context():
        services.cancel(db.serialised_session(), token, NOW)
    counts, sms, _ = _send(app, NOW + timedelta(minutes=2))
    assert [body for _c, _r, body, _s in sms.sent if "/k/" in body] == []
    assert _rows(app, kind="booking_confirmed")[0].status == "cancelled"
    assert _rows(app, kind="booking_confirmed")[0].body is None


def test_a_failed_reminder_sent_again_by_an_admin_is_sent(app):
    from portal.notify import admin as notify_admin

    book(app)
    due = datetime(2030, 1, 6, 16, 1, tzinfo=UTC)
    _send(app, NOW)
    _send(app, due, sms=Recorder(fail_with=TransportError("gateway answered 400", permanent=True)))
    [reminder] = _rows(app, kind="booking_reminder")
    assert reminder.status == "failed"
    with app.app_context():
        assert notify_admin.retry(db.get_session(), None, reminder.id)
    counts, sms, _ = _send(app, due + timedelta(minutes=1))
    assert counts["sent"] == 1


def test_a_text_that_cannot_be_written_fails_alone(app, monkeypatch):
    book(app, phone="+4791000001")
    book(app, phone="+4791000002")
    real = texts.render
    calls = []

    def broken_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("a translation lost its placeholder")
        return real(*args, **kwargs)

    monkeypatch.setattr(texts, "render", broken_once)
    counts, sms, _ = _send(app, NOW)
    assert counts["failed"] == 1 and counts["sent"] == 1


def test_a_short_link_to_a_saved_registration_works_once(app, forms):
    from tests.registration_data import fill_in

    fill_in(forms, lang="uk", until="permit")
    forms.post(
        "/uk/family-registration/permit",
        {"action": "save"},
        token_from="/uk/family-registration/permit",
    )
    forms.post("/uk/family-registration/send-link", {"phone": "+4791234567", "email": ""},
               token_from="/uk/family-registration/saved")  # fmt: skip
    _, sms, _ = _send(app, clock.now())
    link = re.search(r"(/k/[\w-]{22})", sms.sent[0][2]).group(1)
    first = app.test_client()
    assert first.get(first.get(link).location).status_code == 302  # opened: the draft's link renews
    # A second reader gets nothing of the draft: a page saying a newer link was sent.
    second = app.test_client()
    page = second.get(second.get(link).location)
    assert page.status_code == 404 and 'action="/uk/link-again/"' in page.get_data(as_text=True)


def test_short_link_tokens_never_reach_the_access_log():
    from portal.logs import redact

    assert redact("/k/abcdefghijklmnopqrstuv") == "/k/…"
    assert redact("GET /k/abcdefghijklmnopqrstuv HTTP/1.1") == "GET /k/… HTTP/1.1"
    assert redact("/uk/book/") == "/uk/book/"


def test_a_long_public_address_is_reported_before_it_costs_three_segments(app):
    with app.test_request_context():
        office = app.extensions["profile"].visiting_address
        assert texts.too_long(BASE, LOCALES, KINDS, address=office) == []
        long_address = "https://flyktningtjenesten.nordre-follo.kommune.no"
        over = texts.too_long(long_address, LOCALES, KINDS, address=office)
    assert over and all(parts == 3 for _code, _kind, parts in over)


@pytest.mark.parametrize("name", ["stavanger", "bergen"])
def test_every_shipped_profile_keeps_appointment_texts_within_two_segments(app, name):
    profile = load_profile(str(ROOT / "deploy" / "profiles" / f"{name}.toml"))
    base = f"https://ankomst.{name}.kommune.no"
    with app.test_request_context():
        assert texts.too_long(base, LOCALES, KINDS, address=profile.sms_address) == []
        # The full visiting address of Bergen would not fit: that is what sms_address is for.
        if profile.sms_address != profile.visiting_address:
            assert texts.too_long(base, LOCALES, KINDS, address=profile.visiting_address)


def test_booking_messages_say_where_the_office_is(app):
    values = {"when": "24.12.2026 10:30", "reference": "TB-7K3M-Q9TD", "link": BASE + "/k/x",
              "address": "Tinngata 8, Stavanger"}  # fmt: skip
    with app.app_context():
        for kind in ("booking_confirmed", "booking_reminder", "booking_moved"):
            sms, _subject, body = texts.render(kind, "nb", values, service="S", phone="1")
            assert "Tinngata 8, Stavanger" in sms, kind
            assert body.count("Tinngata 8, Stavanger") == 2, kind  # the text and its own line


def test_no_message_of_any_kind_carries_id_numbers_notes_or_names(app, forms, client):
    """Every kind, SMS and e-mail, rendered from real data full of things that must stay home."""
    from portal.appointments import services
    from tests.conftest import StaffLogin
    from tests.registration_data import STEPS, fill_in

    sms, email = Recorder(), Recorder()
    secret_note = "Mitt fødselsnummer er 15076500565 og DUF 201212345678"
    profile = app.extensions["profile"]
    with app.app_context():
        booking, token = services.book(
            db.serialised_session(),
            profile,
            MONDAY_0800,
            details(email="olena@example.org", note=secret_note),
            NOW,
            **form_key(app),
        )
    _send(app, NOW, sms=sms, email=email)
    with app.app_context():
        services.move(
            db.serialised_session(), profile, token, MONDAY_0800 + timedelta(hours=1), NOW
        )
    _send(
        app, datetime(2030, 1, 6, 16, 1, tzinfo=UTC), sms=sms, email=email
    )  # moved, then the reminder
    with app.app_context():
        services.cancel(db.serialised_session(), token, NOW)
    fill_in(forms, lang="uk")
    forms.post("/uk/family-registration/submit", {"confirm": "y"})
    caseworker = StaffLogin(app, app.test_client())
    caseworker.as_role("caseworker")
    [case_id] = {r.case_id for r in _rows(app) if r.case_id}
    with app.app_context():
        from portal.cases.models import Case

        reference = db.get_session().get(Case, case_id).reference
    page = f"/staff/cases/{reference}"
    caseworker.forms.post(
        f"{page}/message", {"message": "Ta med passet. " + secret_note}, token_from=page
    )
    caseworker.forms.post(f"{page}/note", {"note": "Internt: " + secret_note}, token_from=page)
    _send(app, datetime(2030, 1, 6, 16, 2, tzinfo=UTC), sms=sms, email=email)
    sent_kinds = {r.kind for r in _rows(app, status="sent")}
    assert sent_kinds == {"booking_confirmed", "booking_moved", "booking_reminder", "booking_cancelled",
                          "registration_received", "caseworker_message"}  # fmt: skip
    assert {r for _c, r, _b, _s in email.sent} == {"olena@example.org"}
    bodies = [body + (subject or "") for _c, _r, body, subject in sms.sent + email.sent]
    forbidden = [
        "15076500565", "201212345678", "Ta med passet", "Internt", "Mitt fødselsnummer",
        STEPS["reference-person"]["national_id"], STEPS["family-members/0"]["duf_number"],
        STEPS["family-members/0"]["duf_number"].replace(" ", ""), STEPS["reference-person"]["full_name"],
        STEPS["family-members/0"]["passport_name"], "Olena Petrenko", "Олена",
    ]  # fmt: skip
    for body in bodies:
        for secret in forbidden:
            assert secret not in body, (secret, body)
