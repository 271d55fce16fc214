"""The SMTP and SMS gateway transports against real servers on localhost (aiosmtpd, and a small
HTTP gateway in a thread), through the outbox worker: what arrives, how it is encoded, and what
becomes of a message when the server is down, slow, refuses it or the worker dies mid-send."""

import base64
import email
import email.policy
import json
import socket
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import clock, db, i18n
from portal.config import ConfigError
from portal.notify import outbox, texts, transports, worker
from portal.notify.models import OutboxMessage

# aiosmtpd warns about AUTH without TLS, which is what the login tests ask of it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

# A link with what a naive template would break: quotes, a backslash, a newline, an ampersand,
# Arabic and Tigrinya (Ge'ez) script, and something that looks like a placeholder.
LINK = 'https://example.org/x?q="سلام"&t=ሰላም\\n\nend {sender} ሰላም'
PHONE = "+4791234567"
MAIL_FROM = "noreply@stavanger.example"
SHORT_TIMEOUT = 0.3  # seconds; the slow gateway answers later than this


def free_port() -> int:
    """A port nobody listens on (bound and released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _link_from_params(monkeypatch):
    """These tests are about the transports: each message carries the link given in its params
    (LINK, a text made to test escaping) instead of a fresh short link."""
    monkeypatch.setattr(
        worker, "_values", lambda session, message: {"link": (message.params or {})["link"]}
    )


def enqueue_one(session, channel, recipient, *, locale="ar", event="t1", link=LINK) -> int:
    outbox.enqueue(session, "draft_link", event=event, locale=locale,
                   contacts=[(channel, recipient)], params={"link": link})  # fmt: skip
    session.commit()
    return session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"draft_link:{event}:{channel}")
    )


def row(session, message_id) -> OutboxMessage:
    session.rollback()
    session.expire_all()
    return session.get(OutboxMessage, message_id)


def expected_texts(app, locale: str, link: str = LINK) -> tuple[str, str, str]:
    """(sms, subject, e-mail body) as the worker renders them (translated or not)."""
    profile = app.extensions["profile"]
    gettext_name = i18n.get_locale_by_code(locale).gettext
    return texts.render("draft_link", gettext_name, {"link": link},
                        service=profile.service_name, phone=profile.phone)  # fmt: skip


# --- an SMTP server ---------------------------------------------------------------------------
class Collector:
    """aiosmtpd handler: keeps every envelope; refuses recipients at refused.example."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, **smtp_options):
        self.handler = Collector()
        self.port = free_port()
        self.logins = []
        if smtp_options.pop("with_auth", False):
            smtp_options.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=False
            )
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **smtp_options
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == b"ankomst"
            and auth_data.password == b"hemmelig-123"
        )
        self.logins.append((mechanism, auth_data.login, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    def mails(self):
        """The messages as received (CRLF line ends, as on the wire)."""
        return [
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            for envelope in self.handler.envelopes
        ]


@pytest.fixture
def smtp_server():
    """Factory: a started aiosmtpd server (no TLS) on 127.0.0.1; stopped at teardown."""
    servers = []

    def _start(**smtp_options):
        server = SmtpServer(**smtp_options)
        server.controller.start()
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.controller.stop()


def smtp_app(make_app, port, **overrides):
    config = {
        "NOTIFY_EMAIL": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_SECURITY": "none",
        "MAIL_FROM": MAIL_FROM,
    }
    return make_app(**{**config, **overrides})


def smtp_channels(app):
    channels = transports.from_config(app.config)
    channels["email"].timeout = 5  # a hung test server fails the test quickly
    return channels


def test_smtp_delivers_the_mail_in_utf8_with_headers(make_app, smtp_server):
    server = smtp_server()
    app = smtp_app(make_app, server.port)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "person@example.org", locale="ar")
        now = clock.now()
        counts = worker.send_due(session, smtp_channels(app), now=now)
        _sms, subject, body = expected_texts(app, "ar")
        message = row(session, message_id)
        assert counts == {"sent": 1, "retry": 0, "failed": 0, "cancelled": 0}
        assert message.status == "sent" and message.attempts == 1
        assert clock.utc(message.sent_at) == now and message.last_error is None
        # The private link leaves the database with the message.
        assert message.body is None and message.subject == "—"

    [envelope] = server.handler.envelopes
    assert envelope.mail_from == MAIL_FROM
    assert envelope.rcpt_tos == ["person@example.org"]
    [mail] = server.mails()
    assert mail["From"].addresses[0].addr_spec == MAIL_FROM
    assert mail["From"].addresses[0].display_name == app.config["MAIL_FROM_NAME"]
    assert mail["To"] == "person@example.org"
    assert mail["Subject"] == subject
    assert mail["Message-ID"].startswith(f"<outbox-{message_id}-")  # the same on every attempt
    assert mail["Message-ID"].endswith("@stavanger.example>")
    assert mail["Content-Language"] == "ar"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    decoded = mail.get_content().replace("\r\n", "\n")
    assert decoded == body
    assert LINK in decoded and "سلام" in decoded and "ሰላም" in decoded


def test_smtp_content_language_of_a_regional_locale(make_app, smtp_server):
    server = smtp_server()
    app = smtp_app(make_app, server.port)
    with app.app_context():
        session = db.get_session()
        enqueue_one(session, "email", "person@example.org", locale="fa_AF")
        worker.send_due(session, smtp_channels(app))
    [mail] = server.mails()
    assert mail["Content-Language"] == "fa-AF"


def test_smtp_login_with_user_and_password(make_app, smtp_server):
    server = smtp_server(with_auth=True)
    app = smtp_app(make_app, server.port, SMTP_USER="ankomst", SMTP_PASSWORD="hemmelig-123")
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "person@example.org", locale="uk")
        counts = worker.send_due(session, smtp_channels(app))
        assert counts["sent"] == 1 and row(session, message_id).status == "sent"
    assert [ok for _mechanism, _login, ok in server.logins] == [True]
    assert len(server.handler.envelopes) == 1


def test_smtp_non_ascii_password_is_a_retry_not_a_crash(make_app, smtp_server):
    """smtplib sends credentials as ASCII only: the worker must not die on "æøå" (it did: a
    UnicodeEncodeError left the message "sending" and stopped the round)."""
    server = smtp_server(with_auth=True)
    app = smtp_app(make_app, server.port, SMTP_USER="ankomst", SMTP_PASSWORD="hemmelig-æøå")
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "person@example.org")
        counts = worker.send_due(session, smtp_channels(app))
        message = row(session, message_id)
        assert counts["retry"] == 1 and message.status == "pending"
        assert "UnicodeEncodeError" in message.last_error and "æøå" not in message.last_error
    assert server.handler.envelopes == []


def test_smtp_wrong_password_is_retried_not_sent(make_app, smtp_server):
    server = smtp_server(with_auth=True)
    app = smtp_app(make_app, server.port, SMTP_USER="ankomst", SMTP_PASSWORD="wrong")
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "person@example.org")
        now = clock.now()
        counts = worker.send_due(session, smtp_channels(app), now=now)
        message = row(session, message_id)
        assert counts["retry"] == 1
        assert message.status == "pending" and message.attempts == 1
        assert clock.utc(message.next_attempt_at) == now + worker.BACKOFF[0]
        assert "SMTPAuthenticationError" in message.last_error
        assert message.body is not None  # kept for the retry
    assert server.logins and not any(ok for *_rest, ok in server.logins)
    assert server.handler.envelopes == []


def test_smtp_server_without_auth_gives_a_retry_when_a_login_is_configured(make_app, smtp_server):
    server = smtp_server()  # does not offer AUTH
    app = smtp_app(make_app, server.port, SMTP_USER="ankomst", SMTP_PASSWORD="x")
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "person@example.org")
        counts = worker.send_due(session, smtp_channels(app))
        message = row(session, message_id)
        assert counts["retry"] == 1 and message.status == "pending"
        assert "SMTPNotSupportedError" in message.last_error
    assert server.handler.envelopes == []


def test_smtp_starttls_is_not_downgraded_to_plain_text(make_app, smtp_server):
    server = smtp_server()  # no TLS offered
    app = smtp_app(make_app, server.port, SMTP_SECURITY="starttls")
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "person@example.org")
        counts = worker.send_due(session, smtp_channels(app))
        assert counts["retry"] == 1 and row(session, message_id).status == "pending"
    assert server.handler.envelopes == []


def test_smtp_refused_recipient_fails_at_once(make_app, smtp_server):
    server = smtp_server()
    app = smtp_app(make_app, server.port)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "nobody@refused.example")
        counts = worker.send_due(session, smtp_channels(app))
        message = row(session, message_id)
        assert counts["failed"] == 1
        assert message.status == "failed" and message.attempts == 1
        assert "recipient refused" in message.last_error
        assert message.body is None
    assert server.handler.envelopes == []


def test_smtp_server_down_is_retried_later(make_app, smtp_server):
    port = free_port()  # nothing listens there
    app = smtp_app(make_app, port)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "email", "person@example.org")
        channels = smtp_channels(app)
        now = clock.now()
        counts = worker.send_due(session, channels, now=now)
        message = row(session, message_id)
        assert counts["retry"] == 1
        assert message.status == "pending" and message.attempts == 1
        assert clock.utc(message.next_attempt_at) == now + worker.BACKOFF[0]
        assert message.last_error.startswith("SMTP: ConnectionRefusedError")
        assert message.body is not None and message.params is not None

        # Not before its time; then the server is back and the same text goes out.
        assert worker.send_due(session, channels, now=now + timedelta(seconds=30))["retry"] == 0
        server = smtp_server()
        channels["email"].port = server.port
        later = now + worker.BACKOFF[0]
        assert worker.send_due(session, channels, now=later)["sent"] == 1
        message = row(session, message_id)
        assert message.status == "sent" and message.attempts == 2 and message.last_error is None
    [mail] = server.mails()
    assert LINK in mail.get_content().replace("\r\n", "\n")


def test_smtp_transport_error_is_a_transport_error():
    """Without the worker: a closed port raises TransportError (retryable), not OSError."""
    transport = transports.SmtpTransport(
        host="127.0.0.1", port=free_port(), security="none", user="", password="",
        sender=MAIL_FROM, sender_name="Test", timeout=2,
    )  # fmt: skip
    message = OutboxMessage(id=7, recipient="a@example.org", subject="s", body="b", locale="nb")
    with pytest.raises(transports.TransportError) as caught:
        transport.send(message)
    assert caught.value.permanent is False


# --- an SMS gateway ---------------------------------------------------------------------------
class Gateway:
    """Records every request; answers from `answers` in turn (then `default`): a status code,
    "slow" (later than the transport's timeout), "truncated" (a body cut short), or "redirect"
    (302 to /elsewhere, which answers a GET with 200)."""

    def __init__(self):
        self.requests = []
        self.answers = []
        self.default = 200
        self.release = threading.Event()
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                gateway._record(self, b"")
                self._answer(200, b"a page")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = gateway._record(self, body)
                if answer == "slow":
                    gateway.release.wait(2)
                    answer = 200
                if answer == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b'{"status": "qu')
                    self.close_connection = True
                elif answer == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._answer(answer, b'{"status": "ok"}' if answer < 300 else b"no")

            def _answer(self, status, payload):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (the slow answer)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/sms?account=7"

    def _record(self, handler, body):
        with self.lock:
            answer = self.answers.pop(0) if self.answers else self.default
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": dict(handler.headers),
                    "body": body,
                    "answer": answer,
                }
            )
            return answer

    def posts(self):
        return [r for r in self.requests if r["method"] == "POST"]

    def accepted(self):
        return [r for r in self.posts() if isinstance(r["answer"], int) and r["answer"] < 300]


@pytest.fixture
def gateway():
    gw = Gateway()
    thread = threading.Thread(target=gw.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield gw
    gw.release.set()
    gw.server.shutdown()
    gw.server.server_close()
    thread.join(5)


def sms_app(make_app, gateway, **overrides):
    config = {"NOTIFY_SMS": "http", "SMS_URL": gateway.url, "SMS_SENDER": "Stavanger"}
    return make_app(**{**config, **overrides})


def sms_channels(app):
    channels = transports.from_config(app.config)
    channels["sms"].timeout = SHORT_TIMEOUT
    return channels


def test_sms_json_body_and_basic_auth(make_app, gateway):
    app = sms_app(make_app, gateway, SMS_USER="kommune", SMS_PASSWORD="pa:ss æ")
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE, locale="ti")
        counts = worker.send_due(session, sms_channels(app))
        sms, _subject, _body = expected_texts(app, "ti")
        message = row(session, message_id)
        assert counts["sent"] == 1
        assert message.status == "sent" and message.body is None
        assert message.subject is None and message.segments >= 1
    [request] = gateway.requests
    assert request["method"] == "POST" and request["path"] == "/api/sms?account=7"
    assert request["headers"]["Content-Type"] == "application/json"
    credentials = base64.b64encode("kommune:pa:ss æ".encode()).decode()
    assert request["headers"]["Authorization"] == f"Basic {credentials}"
    sent = json.loads(request["body"].decode("utf-8"))
    assert sent == {
        "to": PHONE,
        "text": sms,
        "sender": "Stavanger",
        "reference": f"outbox-{message_id}",
    }
    assert LINK in sent["text"]  # quotes, backslash, newline, Arabic, Tigrinya, "{sender}"


def test_sms_bearer_token(make_app, gateway):
    app = sms_app(make_app, gateway, SMS_TOKEN="tok-123", SMS_USER="ignored", SMS_PASSWORD="x")
    with app.app_context():
        session = db.get_session()
        enqueue_one(session, "sms", PHONE)
        assert worker.send_due(session, sms_channels(app))["sent"] == 1
    [request] = gateway.requests
    assert request["headers"]["Authorization"] == "Bearer tok-123"


def test_sms_without_credentials_sends_no_authorization(make_app, gateway):
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        enqueue_one(session, "sms", PHONE)
        worker.send_due(session, sms_channels(app))
    [request] = gateway.requests
    assert "Authorization" not in request["headers"]


def test_sms_form_encoded_template(make_app, gateway):
    app = sms_app(
        make_app,
        gateway,
        SMS_CONTENT_TYPE="application/x-www-form-urlencoded",
        SMS_BODY="to={to}&msg={text}&from={sender}&ref={reference}",
    )
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE, locale="ar")
        assert worker.send_due(session, sms_channels(app))["sent"] == 1
        sms, _subject, _body = expected_texts(app, "ar")
    [request] = gateway.requests
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    body = request["body"].decode("ascii")  # form encoding is plain ASCII on the wire
    assert urllib.parse.parse_qs(body, keep_blank_values=True, strict_parsing=True) == {
        "to": [PHONE],
        "msg": [sms],
        "from": ["Stavanger"],
        "ref": [f"outbox-{message_id}"],
    }


@pytest.mark.parametrize("answer", [500, 502, 503, 429, 408, "slow", "truncated"])
def test_sms_temporary_failures_are_retried(make_app, gateway, answer):
    gateway.answers = [answer]
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        channels = sms_channels(app)
        now = clock.now()
        counts = worker.send_due(session, channels, now=now)
        message = row(session, message_id)
        assert counts == {"sent": 0, "retry": 1, "failed": 0, "cancelled": 0}
        assert message.status == "pending" and message.attempts == 1
        assert clock.utc(message.next_attempt_at) == now + worker.BACKOFF[0]
        assert message.last_error and message.body is not None and message.params is not None

        # Not yet due a moment before; due at its time, and then it goes out.
        before = now + worker.BACKOFF[0] - timedelta(seconds=1)
        assert worker.send_due(session, channels, now=before)["sent"] == 0
        assert worker.send_due(session, channels, now=now + worker.BACKOFF[0])["sent"] == 1
        message = row(session, message_id)
        assert message.status == "sent" and message.attempts == 2 and message.last_error is None
    assert len(gateway.posts()) == 2


def test_sms_timeout_is_reported_as_a_timeout(make_app, gateway):
    gateway.answers = ["slow"]
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        worker.send_due(session, sms_channels(app))
        assert "Timeout" in row(session, message_id).last_error


def test_sms_gateway_down_is_retried(make_app):
    app = make_app(NOTIFY_SMS="http", SMS_URL=f"http://127.0.0.1:{free_port()}/sms")
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        assert worker.send_due(session, sms_channels(app))["retry"] == 1
        message = row(session, message_id)
        assert message.status == "pending" and "unreachable" in message.last_error


def test_sms_failed_after_the_last_attempt_and_erased(make_app, gateway):
    gateway.default = 503
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        channels = sms_channels(app)
        now = clock.now()
        for attempt in range(1, worker.MAX_ATTEMPTS + 1):
            counts = worker.send_due(session, channels, now=now)
            message = row(session, message_id)
            assert message.attempts == attempt
            if attempt < worker.MAX_ATTEMPTS:
                assert counts["retry"] == 1 and message.status == "pending"
                assert clock.utc(message.next_attempt_at) == now + worker.BACKOFF[attempt - 1]
                now = clock.utc(message.next_attempt_at)
            else:
                assert counts["failed"] == 1
        assert message.status == "failed" and message.last_error == "gateway answered 503"
        assert message.body is None and message.subject is None
        # Nothing more happens to it, ever.
        assert not any(worker.send_due(session, channels, now=now + timedelta(days=30)).values())
    posts = gateway.posts()
    assert len(posts) == worker.MAX_ATTEMPTS
    assert len({r["body"] for r in posts}) == 1  # the same text and reference every time


@pytest.mark.parametrize("status", [400, 404, 422])
def test_sms_refused_by_the_gateway_fails_at_once(make_app, gateway, status):
    gateway.default = status
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        channels = sms_channels(app)
        now = clock.now()
        counts = worker.send_due(session, channels, now=now)
        message = row(session, message_id)
        assert counts["failed"] == 1
        assert message.status == "failed" and message.attempts == 1
        assert message.last_error == f"gateway answered {status}"
        assert message.body is None
        assert not any(worker.send_due(session, channels, now=now + timedelta(days=1)).values())
    assert len(gateway.posts()) == 1


def test_sms_fails_twice_then_is_sent_exactly_once(make_app, gateway):
    gateway.answers = [500, 503]
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        channels = sms_channels(app)
        now = clock.now()
        outcomes = []
        for _ in range(6):
            counts = worker.send_due(session, channels, now=now)
            outcomes.append({k: v for k, v in counts.items() if v})
            now += timedelta(hours=1)
        message = row(session, message_id)
        assert message.status == "sent" and message.attempts == 3
    assert outcomes == [{"retry": 1}, {"retry": 1}, {"sent": 1}, {}, {}, {}]
    assert len(gateway.posts()) == 3
    [accepted] = gateway.accepted()
    assert json.loads(accepted["body"])["reference"] == f"outbox-{message_id}"


def test_sms_redirect_is_not_taken_for_a_delivery(make_app, gateway):
    """A gateway that redirects the POST (say http:// to https://) has not taken the message: the
    client must not follow with a GET (without the message) and call the message sent."""
    gateway.answers = ["redirect"]
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        counts = worker.send_due(session, sms_channels(app))
        message = row(session, message_id)
        assert counts["sent"] == 0
        assert message.status != "sent" and "302" in message.last_error
    assert [r["method"] for r in gateway.requests] == ["POST"]


# --- the worker with a real gateway -----------------------------------------------------------
class DiesAfterSending:
    """The process is killed after the gateway took the message, before it is marked sent."""

    def __init__(self, real):
        self.real = real

    def send(self, message):
        self.real.send(message)
        raise KeyboardInterrupt


def test_worker_killed_after_sending_sends_again_after_the_lease(make_app, gateway):
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        channels = sms_channels(app)
        t0 = clock.now()
        with pytest.raises(KeyboardInterrupt):
            worker.send_due(session, {**channels, "sms": DiesAfterSending(channels["sms"])}, now=t0)
        message = row(session, message_id)
        assert message.status == "sending" and message.attempts == 1
        assert clock.utc(message.claimed_at) == t0 and message.body is not None

        # Another round at once, or within the lease, leaves it alone.
        assert not any(worker.send_due(session, channels, now=t0).values())
        within = t0 + worker.LEASE - timedelta(seconds=1)
        assert not any(worker.send_due(session, channels, now=within).values())
        assert len(gateway.posts()) == 1

        # After the lease it is sent again: not lost.
        after = t0 + worker.LEASE + timedelta(seconds=1)
        assert worker.send_due(session, channels, now=after)["sent"] == 1
        message = row(session, message_id)
        assert message.status == "sent" and message.attempts == 2 and message.body is None
    first, second = (json.loads(r["body"]) for r in gateway.posts())
    # The same reference (and text) both times: the gateway can drop the duplicate.
    assert first["reference"] == second["reference"] == f"outbox-{message_id}"
    assert first == second


def test_worker_reads_the_claimed_row_even_when_the_session_holds_a_copy(make_app, gateway):
    """send_due in a session that still holds the message (the one that enqueued it): the claim's
    UPDATE must be seen, or the retry is written on a stale copy (status left "sending", the
    back-off of attempt 0, which is the last one: 6 hours)."""
    gateway.default = 503
    app = sms_app(make_app, gateway)
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        held = session.get(OutboxMessage, message_id)  # status "pending", attempts 0
        now = clock.now()
        assert worker.send_due(session, sms_channels(app), now=now)["retry"] == 1
        assert held.status == "pending" and held.attempts == 1
        message = row(session, message_id)
        assert message.status == "pending" and message.attempts == 1
        assert clock.utc(message.next_attempt_at) == now + worker.BACKOFF[0]


def test_two_workers_cannot_claim_the_same_message(make_app):
    app = make_app()
    with app.app_context():
        session = db.get_session()
        message_id = enqueue_one(session, "sms", PHONE)
        now = clock.now()
        other = Session(bind=db.get_engine(), expire_on_commit=False)
        try:
            assert worker._claim(session, message_id, now) is True
            assert worker._claim(other, message_id, now) is False
            assert worker._claim(session, message_id, now) is False
        finally:
            other.close()
        message = row(session, message_id)
        assert message.status == "sending" and message.attempts == 1


# --- configuration ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "config",
    [
        {"NOTIFY_SMS": "http"},
        {"NOTIFY_SMS": "http", "SMS_URL": "ftp://gateway.example/sms"},
        {"NOTIFY_SMS": "twilio"},
        {"NOTIFY_EMAIL": "smtp"},
        {"NOTIFY_EMAIL": "sendmail"},
        {"NOTIFY_EMAIL": "smtp", "SMTP_HOST": "mail.example", "SMTP_SECURITY": "ssl"},
    ],
)
def test_incomplete_or_unknown_transport_configuration_is_refused(make_app, config):
    with pytest.raises(ConfigError):
        make_app(**config)


def test_from_config_builds_the_configured_transports(make_app):
    app = make_app(
        NOTIFY_SMS="http", SMS_URL="https://gateway.example/sms",
        NOTIFY_EMAIL="smtp", SMTP_HOST="mail.example", SMTP_PORT=465, SMTP_SECURITY="tls",
    )  # fmt: skip
    channels = transports.from_config(app.config)
    assert isinstance(channels["sms"], transports.HttpSmsTransport)
    assert channels["sms"].url == "https://gateway.example/sms"
    assert isinstance(channels["email"], transports.SmtpTransport)
    assert (channels["email"].host, channels["email"].port) == ("mail.example", 465)
    assert channels["email"].security == "tls"
    log_only = transports.from_config(make_app().config)
    assert all(isinstance(t, transports.LogTransport) for t in log_only.values())
