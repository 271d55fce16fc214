"""What a black-box test sent an unauthenticated instance (issue #12): odd digits and control
characters in addresses, NUL bytes in forms, forged log lines, huge bodies. Each is a clear
answer (404, 413, or a message beside the field), never a 500, and on PostgreSQL as on SQLite."""

import io
import logging

import pytest
from sqlalchemy import select

from portal import db
from portal.appointments.models import Booking
from portal.config import ConfigError
from portal.forms.fields import CONTROL_CHARACTERS_REMOVED
from portal.logs import EscapingFormatter
from portal.registration.models import DraftStep
from tests.conftest import csrf_token_in
from tests.registration_data import STEPS, fill_in
from tests.test_booking import FORM, first_free_time

CONTROL_MESSAGE = str(CONTROL_CHARACTERS_REMOVED)


@pytest.mark.parametrize("time", ["0²00", "¹²00", "08①0", "٠٨٠٠", "08:0"])
def test_digits_that_int_refuses_are_404_not_500(client, time):
    day, _times = first_free_time(client)
    assert client.get(f"/uk/book/general/{day}/{time}").status_code == 404
    assert client.post(f"/uk/book/general/{day}/{time}", data={}).status_code == 404


@pytest.mark.parametrize(
    "path", ["/Nb/%0d%0a", "/Nb/x%0aLocation:%20http://evil.example", "/nb/%00", "/staff/cases/%00"]
)
def test_control_characters_in_an_address_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "\n" not in response.headers.get("Location", "")


def test_unicode_digits_in_staff_form_values_are_ignored(app, staff):
    staff.as_role("caseworker")
    assert staff.client.get("/staff/cases/?assignee=²").status_code == 200
    response = staff.forms.post(
        "/staff/cases/bulk", {"case_ids": "①", "bulk-action": "assign"}, token_from="/staff/cases/"
    )
    assert response.status_code == 302


@pytest.mark.parametrize("field", ["note", "interpreter_language", "name"])
def test_a_nul_in_a_booking_form_is_refused_beside_the_field_and_the_rest_kept(app, forms, field):
    day, times = first_free_time(forms.client)
    sent = {**FORM, field: FORM[field] + "\x00\x1b\x7f"}
    response = forms.post(f"/uk/book/general/{day}/{times[0]}", sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="{field}-error"' in html
    assert "\x00" not in html and "\x1b" not in html
    assert FORM["name"] in html and FORM["note"] in html  # nothing is lost
    with app.app_context():
        assert db.get_session().scalars(select(Booking)).first() is None


def test_bidi_marks_and_joiners_are_text_and_stay(app, forms):
    day, times = first_free_time(forms.client)
    note = "\u200fملاحظة\u200c مع \u2067علامة\u2069"
    assert (
        forms.post(f"/uk/book/general/{day}/{times[0]}", {**FORM, "note": note}).status_code == 302
    )
    with app.app_context():
        assert db.get_session().scalars(select(Booking.note)).one() == note


def test_a_nul_in_a_registration_step_is_never_saved(app, forms):
    fill_in(forms, until="registrant")
    response = forms.post(
        "/uk/family-registration/registrant", {**STEPS["registrant"], "name": "Olena\x00"}
    )
    assert response.status_code == 200 and 'id="name-error"' in response.get_data(as_text=True)
    with app.app_context():
        steps = db.get_session().scalars(select(DraftStep.step)).all()
    assert "registrant" not in steps


def test_a_draft_saved_with_a_nul_before_the_fix_can_still_be_sent(app, forms):
    fill_in(forms)
    with app.app_context():
        session = db.get_session()
        row = session.scalars(select(DraftStep).where(DraftStep.step == "registrant")).one()
        row.data = {**row.data, "name": "Olena\x00 Petrenko"}
        session.commit()
    assert forms.post("/uk/family-registration/submit", {"confirm": "y"}).status_code == 302


@pytest.mark.parametrize(
    "path", ["/staff/cases/?search=Ole%00na", "/staff/admin/audit/?actor=a%00b&target=x%00"]
)
def test_a_nul_in_a_staff_search_is_refused_beside_the_field(staff, path):
    staff.as_role("admin", ())
    response = staff.client.get(path)
    assert response.status_code in (200, 400)
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_in_the_staff_login_is_a_message_not_a_500(staff):
    response = staff.forms.post("/staff/login", {"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_a_forged_log_line_stays_inside_its_own_line(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/nb/x%0a2026-12-04 19:00:00,000 INFO portal.request [forged] GET /nb/ 200")
    formatter = EscapingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    written = "\n".join(formatter.format(r) for r in caplog.records)
    assert len(written.splitlines()) == len(caplog.records)
    assert not any(line.startswith("2026-12-04 19:00:00,000") for line in written.splitlines())
    assert "/nb/x\\n2026-12-04" in written


def test_a_traceback_cannot_forge_a_line_either(caplog):
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    try:
        raise ValueError("bad\n2026-12-04 19:00:00,000 INFO forged")
    except ValueError:
        logging.getLogger("test").exception("failed")
    record = caplog.records[-1]
    record.exc_text = None  # caplog's own handler formatted it already
    lines = formatter.format(record).splitlines()
    assert lines[0] == "ERROR failed" and all(line.startswith("  | ") for line in lines[1:])


class EndlessBody(io.RawIOBase):
    """A chunked upload that never ends; counts what the app read."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"a" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_a_huge_chunked_body_is_refused_before_it_is_read(app):
    """As gunicorn hands the app a chunked body: no length, wsgi.input_terminated."""
    from werkzeug.test import create_environ, run_wsgi_app

    body = EndlessBody()
    environ = create_environ("/uk/link-again/", method="POST")
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True,
                    "CONTENT_TYPE": "application/x-www-form-urlencoded",
                    "HTTP_TRANSFER_ENCODING": "chunked"})  # fmt: skip
    environ.pop("CONTENT_LENGTH", None)
    _body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert body.read_bytes <= 2 * app.config["MAX_CONTENT_LENGTH"]


def test_a_declared_huge_body_is_refused(client):
    response = client.post(
        "/uk/link-again/", data="a" * 200_000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


def test_the_503_page_keeps_its_own_retry_after_on_a_limited_form(app, forms):
    from tests.test_faults import database_down

    page = forms.client.get("/uk/link-again/").get_data(as_text=True)
    token = csrf_token_in(page)
    with database_down(app):
        response = forms.client.post(
            "/uk/link-again/", data={"csrf_token": token, "reference": "", "contact": "+4791234567"}
        )
    assert response.status_code == 503 and response.headers["Retry-After"] == "120"


def test_production_refuses_rate_limits_counted_per_worker():
    from portal import config

    settings = {
        **config.from_environment({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "k" * 40,
                                   "PORTAL_BASE_URL": "https://a.example.no",
                                   "PORTAL_NOTIFY_SMS": "http", "PORTAL_SMS_URL": "https://sms.example.no",
                                   "PORTAL_NOTIFY_EMAIL": "smtp", "PORTAL_SMTP_HOST": "smtp.example.no",
                                   "PORTAL_MAIL_FROM": "post@example.kommune.no"}),
    }  # fmt: skip
    config.validate(settings)  # the default (a file all workers share) is accepted
    with pytest.raises(ConfigError, match="memory://"):
        config.validate({**settings, "RATELIMIT_STORAGE_URL": "memory://"})
