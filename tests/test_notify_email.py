"""Sending e-mail over SMTP, against a real SMTP server on localhost (aiosmtpd), through the outbox
worker: what arrives and how it is encoded, logins, STARTTLS, refused recipients, a server down."""

from datetime import timedelta

import pytest

from portal import db
from portal.notify import transports, worker
from portal.notify.models import OutboxMessage
from portal.profile import clock
from tests.conftest import free_port
from tests.transport_peers import (  # noqa: F401 - fixtures
    LINK,
    MAIL_FROM,
    PHONE,
    SHORT_TIMEOUT,
    _link_from_params,
    enqueue_one,
    expected_texts,
    gateway,
    row,
    smtp_server,
)

# aiosmtpd warns about AUTH without TLS, which is what the login tests ask of it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


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
