"""No private token, ID number or form value in any log line. The public and staff flows run
through the real forms with the log at DEBUG (SQLAlchemy's statements at INFO, see the test), in
the text and the JSON format; then every record is scanned for what was typed or handed out, and
each request must have written exactly one "portal.request" line with its response's request id."""

import json
import logging
import re
from urllib.parse import quote, quote_plus

import pytest
from flask.testing import FlaskClient

from portal import db
from portal.logs import JsonFormatter
from portal.notify import transports, worker
from portal.profile import clock
from tests import conftest
from tests.conftest import FormFiller, StaffLogin
from tests.registration_data import STEPS, fill_in
from tests.test_booking import FORM, first_free_time
from tests.transport_peers import gateway, smtp_server  # noqa: F401 - fixtures

BASE = "/uk/family-registration"
CSRF = re.compile(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"')
LINK_TOKEN = re.compile(r"[?&](?:amp;)?token=([\w-]+)")
SHORT_TOKEN = re.compile(r"/k/([\w-]{22})")
PASSWORD = "Hemmelig passord for loggtesten 7"
MEMBER, PERSON = STEPS["family-members/0"], STEPS["reference-person"]
# What people type (dates and choices such as "yes" are left out: too common to scan for).
TYPED = {
    "applicant name": STEPS["registrant"]["name"], "reference person's name": PERSON["full_name"],
    "national ID number": PERSON["national_id"], "address": PERSON["address"],
    "family member's name": MEMBER["passport_name"], "native name": MEMBER["native_name"],
    "DUF number": MEMBER["duf_number"], "DUF number without spaces": "201212345678",
    "phone as typed": STEPS["contact"]["phone"], "phone in E.164": "+380501234567",
    "registration e-mail": "olena.registrering@example.org",
    "invalid national ID number": "15076500564",
    "booking name": FORM["name"], "booking note": FORM["note"],
    "booking phone as typed": "+47 412 34 567", "booking phone in E.164": "+4741234567",
    "booking e-mail": "olena.time@example.org", "draft-link e-mail": "olena.utkast@example.org",
    "draft-link phone as typed": "+47 912 34 567", "draft-link phone in E.164": "+4791234567",
    "staff password": PASSWORD, "staff note": "Internt notat om familien Petrenko",
    "staff message": "Send oss en kopi av passet til Mariia",
    "applicant's answer": "Паспорт надішлю завтра",
    "forged CSRF token": "forged-csrf-token-0123456789abcdef",
}  # fmt: skip
PROPAGATING = ("portal", "portal.request", "portal.notify", "portal.security.limits", "werkzeug",
               "sqlalchemy.engine.Engine", "sqlalchemy.pool", "flask_wtf.csrf", "flask_limiter")  # fmt: skip


class Run:
    """What the flows produced: the request ids seen, the records written during a request (and
    those without its id), and the secrets to look for (value -> label)."""

    def __init__(self, handler):
        self.handler, self.request_ids, self.strays, self.inside = handler, [], [], set()
        self.secrets = {value: label for label, value in TYPED.items()}

    def add(self, value: str, label: str) -> None:
        if value and value not in self.secrets:
            self.secrets[value] = label

    def seen(self, response, records) -> None:
        """One response: its request id, the records of its request, and the CSRF tokens,
        private link tokens and cookies it hands out."""
        request_id = response.headers["X-Request-ID"]
        self.request_ids.append(request_id)
        self.inside |= {id(record) for record in records}
        self.strays += [r.name for r in records if getattr(r, "request_id", None) != request_id]
        path, text = response.request.path, response.headers.get("Location", "")
        if response.mimetype == "text/html":
            text += response.get_data(as_text=True)
        for token in CSRF.findall(text):
            self.add(token, f"CSRF token from {path}")
        for token in LINK_TOKEN.findall(text) + SHORT_TOKEN.findall(text):
            self.add(token, f"private link token from {path}")
        for header in response.headers.getlist("Set-Cookie"):
            name, _, value = header.split(";")[0].partition("=")
            self.add(value if len(value) >= 16 else "", f"{name} cookie from {path}")


class RecordingClient(FlaskClient):
    """A test client that reports every response, with the records its request wrote. Buffered:
    the body is read and closed at once, as a WSGI server does (closing ends the request id)."""

    def open(self, *args, **kwargs):
        run = self.application.extensions["log_privacy_run"]
        first = len(run.handler.records)
        response = super().open(*args, **{**kwargs, "buffered": True})
        run.seen(response, run.handler.records[first:])
        return response


def link_token(html: str, path: str) -> str:
    """The token of the private link to `path` on a page."""
    return re.search(rf'"http://localhost{re.escape(path)}\?token=([\w-]+)"', html).group(1)


def register(app) -> tuple[str, str]:
    """A complete registration in Ukrainian; returns its status link token and reference."""
    forms = FormFiller(app.test_client())
    fill_in(forms, lang="uk", until="contact")
    contact = {**STEPS["contact"], "email": TYPED["registration e-mail"]}
    assert forms.post(f"{BASE}/contact", contact).status_code == 302
    assert "15076500565" in forms.client.get(f"{BASE}/check").get_data(as_text=True)
    assert forms.post(f"{BASE}/submit", {"confirm": "y"}).status_code == 302
    receipt = forms.client.get(f"{BASE}/receipt").get_data(as_text=True)
    return link_token(receipt, "/uk/status/"), re.search(
        r"FG-\w{4}-\w{4}", receipt.replace("<wbr>", "")
    ).group(0)


def save_for_later(app) -> tuple[str, FormFiller]:
    """A registration saved half-way, its link asked for by SMS and e-mail, then resumed with the
    resume link in another browser; returns the resume token and that browser."""
    forms = FormFiller(app.test_client())
    fill_in(forms, lang="uk", until="permit")
    assert forms.post(f"{BASE}/permit", {**STEPS["permit"], "action": "save"}).status_code == 302
    token = link_token(forms.client.get(f"{BASE}/saved").get_data(as_text=True), f"{BASE}/resume")
    contacts = {"phone": TYPED["draft-link phone as typed"], "email": TYPED["draft-link e-mail"]}
    assert forms.post(f"{BASE}/send-link", contacts, token_from=f"{BASE}/saved").status_code == 302
    other = FormFiller(app.test_client())
    assert other.client.get(f"{BASE}/resume", query_string={"token": token}).status_code == 302
    return token, other


def book_and_move(app) -> tuple[str, FormFiller]:
    """A front-desk booking with an interpreter; its manage link opened in another browser, the
    calendar file downloaded and the time moved. Returns the manage token and that browser."""
    forms = FormFiller(app.test_client())
    day, times = first_free_time(forms.client)
    form = {**FORM, "phone": TYPED["booking phone as typed"], "email": TYPED["booking e-mail"]}
    booked = forms.post(f"/uk/book/general/{day}/{times[0]}", form)
    assert booked.status_code == 302, booked.get_data(as_text=True)[:2000]
    token = link_token(forms.client.get(booked.location).get_data(as_text=True), "/uk/booking/")
    other = FormFiller(app.test_client())
    assert other.client.get("/uk/booking/", query_string={"token": token}).status_code == 302
    assert other.client.get("/uk/booking/calendar.ics").mimetype == "text/calendar"
    path = f"/uk/booking/move/{day}/"
    moved = other.post(f"{path}{times[1]}", {"confirm": "yes"})
    assert moved.status_code == 302 and moved.location == "/uk/booking/?moved=1"
    return token, other


def staff_work(app, reference: str) -> StaffLogin:
    """A caseworker logs in with a password, finds the case by the applicant's name, views it and
    writes a note and a message to the applicant."""
    staff = StaffLogin(app, app.test_client())
    assert staff.login(staff.account(password=PASSWORD)[1], PASSWORD).status_code == 302
    found = staff.client.get("/staff/cases/", query_string={"search": TYPED["applicant name"]})
    assert reference in found.get_data(as_text=True)
    page = f"/staff/cases/{reference}"
    for action in ("note", "message"):
        text = {action: TYPED[f"staff {action}"]}
        assert staff.forms.post(f"{page}/{action}", text, token_from=page).status_code == 302
    return staff


def answer_on_status_page(app, token: str) -> None:
    """The applicant opens the private status link, reads the message and answers it."""
    browser = FormFiller(app.test_client())
    assert browser.client.get("/uk/status/", query_string={"token": token}).status_code == 302
    assert TYPED["staff message"] in browser.client.get("/uk/status/").get_data(as_text=True)
    answer = {"answer": TYPED["applicant's answer"]}
    assert browser.post("/uk/status/answer", answer, token_from="/uk/status/").status_code == 303


def refused_forms(app, resumed: FormFiller, staff: StaffLogin, reference: str) -> None:
    """A forged CSRF token on a registration step (the values come back) and on a staff note; an
    invalid national ID number (refused, what was typed kept); a step sent while the database
    cannot be reached (a 503 page that keeps the form)."""
    forged = {**PERSON, "csrf_token": TYPED["forged CSRF token"]}
    kept = resumed.client.post(f"{BASE}/reference-person", data=forged)
    assert kept.status_code == 200 and 'value="15076500565"' in kept.get_data(as_text=True)
    invalid = {**PERSON, "national_id": TYPED["invalid national ID number"]}
    refused = resumed.post(f"{BASE}/reference-person", invalid)
    assert refused.status_code == 200 and 'value="15076500564"' in refused.get_data(as_text=True)
    note = {"note": TYPED["staff note"], "csrf_token": TYPED["forged CSRF token"]}
    assert staff.client.post(f"/staff/cases/{reference}/note", data=note).status_code == 400
    # The step with the national ID number sent while the database cannot be reached.
    url = ("postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2"
           if conftest.TEST_DATABASE_URL else "sqlite:////nonexistent-directory/portal.db")  # fmt: skip
    data = {**PERSON, "csrf_token": resumed.csrf_token(f"{BASE}/reference-person")}
    engine, app.extensions["db_engine"] = app.extensions["db_engine"], db.make_engine(url)
    try:
        response = resumed.client.post(f"{BASE}/reference-person", data=data)
    finally:
        app.extensions["db_engine"].dispose()
        app.extensions["db_engine"] = engine
    assert response.status_code == 503 and "15076500565" in response.get_data(as_text=True)


def links_again(app, reference: str, staff: StaffLogin) -> None:
    """Someone else tries the booking's time with its phone (its link goes again by SMS); the
    applicant asks for the status link again with the reference and the e-mail they gave, and
    someone asks with details that match nothing; a caseworker sends a new link."""
    stranger = FormFiller(app.test_client())
    day, times = first_free_time(stranger.client)
    form = {**FORM, "phone": TYPED["booking phone as typed"], "name": "Someone Else"}
    conflict = stranger.post(f"/uk/book/general/{day}/{times[1]}", form)
    assert conflict.status_code == 200 and 'id="phone-error"' in conflict.get_data(as_text=True)
    for contact in (TYPED["registration e-mail"], TYPED["booking phone as typed"]):
        asked = FormFiller(app.test_client()).post(
            "/uk/link-again/", {"reference": reference, "contact": contact}
        )
        assert asked.status_code == 303
    page = f"/staff/cases/{reference}/new-link"
    assert staff.forms.post(page, {}, token_from=page).status_code == 302


def send_outbox(app, sms_gateway, mail_server) -> dict[str, str]:
    """The outbox worker once, configured as in production: SMS to an HTTP gateway, e-mail over
    SMTP (the development "log" transport writes texts to the log on purpose). Returns the
    short-link tokens sent, with their recipients."""
    with app.app_context():
        counts = worker.send_due(db.get_session(), transports.from_config(app.config), clock.now())
    sent = [
        (sms["to"], sms["text"]) for sms in (json.loads(p["body"]) for p in sms_gateway.posts())
    ]
    sent += [(mail["To"], mail.get_content()) for mail in mail_server.mails()]
    assert counts["sent"] == len(sent) >= 6 and counts["failed"] == 0, counts
    return {token: recipient for recipient, text in sent for token in SHORT_TOKEN.findall(text)}


def open_short_links(app, links: dict[str, str]) -> None:
    """Each short link in a new browser, followed to the page it opens. A saved registration's
    links (SMS and e-mail) work once: the first one opened renews the draft's token."""
    draft_contacts, draft_opened = {"+4791234567", TYPED["draft-link e-mail"]}, False
    for token, recipient in links.items():
        browser = app.test_client()
        opened = browser.get(f"/k/{token}")
        if recipient in draft_contacts and draft_opened:  # retired: its page says a newer one went
            assert opened.status_code == 302
            assert browser.get(opened.location).status_code == 404
            continue
        draft_opened |= recipient in draft_contacts
        assert opened.status_code == 302 and "token=" in opened.location
        exchanged = browser.get(opened.location)
        assert exchanged.status_code == 302 and browser.get(exchanged.location).status_code == 200


def reaches_root(name: str) -> bool:
    """Whether a logger's records get to the root logger's handlers (and so to caplog)."""
    logger = logging.getLogger(name)
    while logger.parent is not None and logger.propagate and not logger.disabled:
        logger = logger.parent
    return logger is logging.getLogger()


def variants(value: str) -> set[str]:
    """A value as a log may hold it: as is, URL-encoded, JSON-escaped; a phone without its +."""
    written = {value, quote(value), quote_plus(value), json.dumps(value)[1:-1]}
    return written | ({value[1:]} if value.startswith("+") else set())


def leaks(records, formatter, secrets: dict) -> list[str]:
    """'<secret> in <logger> (n records)' for each secret found in a record's message, arguments,
    configured line (exception included) or JSON line. A JSON line must be valid JSON."""
    found = {}
    for record in records:
        configured, as_json = formatter.format(record), JsonFormatter().format(record)
        if isinstance(formatter, JsonFormatter):
            assert "\n" not in configured and json.loads(configured)["request_id"], record.name
        line = "\n".join([record.getMessage(), repr(record.args), configured, as_json])
        for value, label in secrets.items():
            if any(written in line for written in variants(value)):
                found[label, record.name] = found.get((label, record.name), 0) + 1
    return sorted(f"{label} in {logger} ({n} records)" for (label, logger), n in found.items())


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_private_value_in_any_log_line(make_app, gateway, smtp_server, caplog, log_format):  # noqa: F811
    caplog.set_level(logging.DEBUG)  # before make_app: the level is restored after the test
    caplog.set_level(logging.WARNING, logger="mail.log")  # aiosmtpd, the test's own mail server
    mail_server = smtp_server()
    app = make_app(LOG_LEVEL="DEBUG", LOG_FORMAT=log_format, NOTIFY_SMS="http",
                   SMS_URL=gateway.url, NOTIFY_EMAIL="smtp", SMTP_HOST="127.0.0.1",
                   SMTP_PORT=mail_server.port, SMTP_SECURITY="none")  # fmt: skip
    assert all(reaches_root(name) for name in PROPAGATING)
    # SQLAlchemy keeps its own loggers at WARNING, whatever PORTAL_LOG_LEVEL says. At INFO they
    # write each statement (hide_parameters: without its values); at DEBUG they would add the
    # rows read, which are the data itself by design: that echo is never turned on, as checked.
    assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
    caplog.set_level(logging.INFO, logger="sqlalchemy")
    app.test_client_class = RecordingClient
    run = app.extensions["log_privacy_run"] = Run(caplog.handler)

    status_token, reference = register(app)
    resume_token, resumed = save_for_later(app)
    manage_token, booking = book_and_move(app)
    staff = staff_work(app, reference)
    answer_on_status_page(app, status_token)
    refused_forms(app, resumed, staff, reference)
    links_again(app, reference, staff)
    short_links = send_outbox(app, gateway, mail_server)
    open_short_links(app, short_links)
    assert booking.post("/uk/booking/cancel", {"confirm": "yes"}).status_code == 302
    run.secrets |= {status_token: "status link token", resume_token: "resume token",
                    manage_token: "manage-booking token"}  # fmt: skip
    run.secrets |= {token: f"short-link token sent to {to}" for token, to in short_links.items()}

    records = caplog.records
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "portal_handler", False))
    assert isinstance(handler.formatter, JsonFormatter) is (log_format == "json")
    assert any(r.getMessage().startswith("database unavailable: ") for r in records)
    assert any(r.name == "sqlalchemy.engine.Engine" for r in records)  # statements were logged
    found = leaks(records, handler.formatter, run.secrets)
    assert not found, "private values in the log: " + "; ".join(found)
    lines = [r for r in records if r.name == "portal.request"]
    assert len(run.request_ids) == len(set(run.request_ids)) > 60
    assert [r.request_id for r in lines] == run.request_ids  # one line per request, with its id
    assert not [r.path for r in lines if "?" in r.getMessage() or "?" in r.path]
    assert not run.strays, f"records without their request's id from {set(run.strays)}"
    assert {r.request_id for r in records if id(r) not in run.inside} == {"-"}
