"""What the transport tests share: real peers on localhost (an aiosmtpd SMTP server and a small
HTTP SMS gateway in a thread) and the helpers that put a message in the outbox for them."""

import email
import email.policy
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from portal import i18n
from portal.notify import outbox, texts, worker
from portal.notify.models import OutboxMessage
from tests.conftest import free_port

# aiosmtpd warns about AUTH without TLS, which is what the login tests ask of it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

# A link with what a naive template would break: quotes, a backslash, a newline, an ampersand,
# Arabic and Tigrinya (Ge'ez) script, and something that looks like a placeholder.
LINK = 'https://example.org/x?q="سلام"&t=ሰላም\\n\nend {sender} ሰላም'
PHONE = "+4791234567"
MAIL_FROM = "noreply@stavanger.example"
SHORT_TIMEOUT = 0.3  # seconds; the slow gateway answers later than this


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
