"""Sending SMS through the municipality's HTTP gateway, against a small gateway on localhost, and the
outbox worker around it: bodies and credentials, retries and failures, a worker that dies
mid-send, and the transports' configuration."""

import base64
import json
import urllib.parse
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from portal import db
from portal.config import ConfigError
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
