"""How messages leave: e-mail over SMTP, SMS through a municipality's HTTP gateway, or (in
development) the log. Chosen by configuration (PORTAL_NOTIFY_EMAIL, PORTAL_NOTIFY_SMS)."""

import base64
import http.client
import json
import logging
import re
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr

from portal.profile import clock

log = logging.getLogger("portal.notify")


class TransportError(Exception):
    """Sending failed. `permanent` failures are not retried (the gateway refused the message)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class LogTransport:
    """Development: the message goes to the log (its text only outside production)."""

    def __init__(self, show_text: bool):
        self.show_text = show_text

    def send(self, message) -> None:
        text = message.body if self.show_text else "(text hidden in production)"
        log.info(
            "%s to %s (%s, outbox %s): %s",
            message.channel,
            message.recipient,
            message.kind,
            message.id,
            text,
        )


class SmtpTransport:
    def __init__(self, *, host: str, port: int, security: str, user: str, password: str,
                 sender: str, sender_name: str, timeout: float = 20):  # fmt: skip
        self.host, self.port, self.security = host, port, security
        self.user, self.password = user, password
        self.sender, self.sender_name, self.timeout = sender, sender_name, timeout

    def _message(self, message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = formataddr((self.sender_name, self.sender))
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        # One id per outbox message, the same on every attempt: a second delivery after a crash is
        # the same mail to the recipient's mail program (the creation time keeps ids unique
        # across databases that reuse outbox numbers).
        created = int(clock.utc(message.created_at).timestamp()) if message.created_at else 0
        mail["Message-ID"] = f"<outbox-{message.id}-{created}@{self.sender.split('@')[-1]}>"
        mail.set_content(message.body)
        # After set_content, which removes every Content-* header set before it.
        mail["Content-Language"] = message.locale.replace("_", "-")
        return mail

    def send(self, message) -> None:
        try:
            if self.security == "tls":
                server = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with server:
                if self.security == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if self.user:
                    server.login(self.user, self.password)
                server.send_message(self._message(message))
        except smtplib.SMTPRecipientsRefused as error:
            raise TransportError(
                f"recipient refused: {error.recipients}", permanent=True
            ) from error
        # UnicodeError: smtplib sends the user name and password as ASCII only.
        except (OSError, smtplib.SMTPException, UnicodeError) as error:
            raise TransportError(f"SMTP: {type(error).__name__}: {error}") from error


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST is an error: urllib would follow it with a GET without the message, and
    the 200 of that page would count as sent."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


PLACEHOLDER = re.compile(r"\{(to|text|sender|reference)\}")


class HttpSmsTransport:
    """POST to the gateway. The body is a template with {to}, {text}, {sender} and {reference}
    (the outbox id, for gateways that ignore a repeated reference); values are JSON-escaped when
    the content type is JSON, form-encoded otherwise."""

    def __init__(self, *, url: str, body_template: str, content_type: str, sender: str,
                 user: str = "", password: str = "", token: str = "", timeout: float = 15):  # fmt: skip
        self.url, self.template, self.content_type = url, body_template, content_type
        self.sender, self.user, self.password, self.token, self.timeout = (
            sender,
            user,
            password,
            token,
            timeout,
        )

    def _body(self, message) -> bytes:
        values = {
            "to": message.recipient,
            "text": message.body,
            "sender": self.sender,
            "reference": f"outbox-{message.id}",
        }
        if "json" in self.content_type:
            escaped = {key: json.dumps(value)[1:-1] for key, value in values.items()}
        else:
            escaped = {key: urllib.parse.quote_plus(value) for key, value in values.items()}
        # One pass: a value that contains "{sender}" is not substituted again.
        body = PLACEHOLDER.sub(lambda match: escaped[match.group(1)], self.template)
        return body.encode("utf-8")

    def send(self, message) -> None:
        # The URL is checked for http(s) when the configuration is read.
        request = urllib.request.Request(self.url, data=self._body(message), method="POST")  # noqa: S310
        request.add_header("Content-Type", self.content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        elif self.user:
            credentials = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {credentials}")
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise TransportError(f"gateway answered {error.code}", permanent=permanent) from error
        # Timeouts, refused connections; a garbled or cut-short answer (HTTPException).
        except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
            raise TransportError(f"gateway unreachable: {type(error).__name__}") from error


def from_config(config: dict) -> dict:
    """{"sms": transport, "email": transport} as configured."""
    show_text = config.get("PORTAL_ENV") != "production"
    transports = {"sms": LogTransport(show_text), "email": LogTransport(show_text)}
    if config.get("NOTIFY_SMS") == "http":
        transports["sms"] = HttpSmsTransport(
            url=config["SMS_URL"], body_template=config["SMS_BODY"], content_type=config["SMS_CONTENT_TYPE"],
            sender=config["SMS_SENDER"], user=config["SMS_USER"], password=config["SMS_PASSWORD"], token=config["SMS_TOKEN"],
        )  # fmt: skip
    if config.get("NOTIFY_EMAIL") == "smtp":
        transports["email"] = SmtpTransport(
            host=config["SMTP_HOST"], port=config["SMTP_PORT"], security=config["SMTP_SECURITY"],
            user=config["SMTP_USER"], password=config["SMTP_PASSWORD"], sender=config["MAIL_FROM"],
            sender_name=config["MAIL_FROM_NAME"],
        )  # fmt: skip
    return transports
