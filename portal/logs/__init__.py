"""Logging: one line per request with a request id, as text or JSON (PORTAL_LOG_FORMAT), and
nothing private in it: the path without its query string, short-link tokens replaced, no form
values (SQLAlchemy hides statement parameters, see db.make_engine)."""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

SHORT_LINK = re.compile(r"/k/[^/?\s]+")


def redact(text: str) -> str:
    """A short link's path without its private token (/k/…)."""
    return SHORT_LINK.sub("/k/…", text)


request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# What a proxy may hand us as its request id (nginx's $request_id is 32 hex digits).
INCOMING_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "bytes")
request_log = logging.getLogger("portal.request")


# Characters that could start a line, move the cursor or change a terminal's state when a log is
# read: C0 and C1 controls (newline and carriage return included) and the Unicode line separators.
UNSAFE_IN_A_LOG_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_control_characters(text: str) -> str:
    """A newline becomes the two characters \\n (as Python writes it): a logged value cannot
    write a line of its own."""
    return UNSAFE_IN_A_LOG_LINE.sub(lambda match: ascii(match.group())[1:-1], text)


class EscapingFormatter(logging.Formatter):
    """A text log line per record. The message (which holds paths, addresses and other values
    from outside) is escaped, and the lines of a traceback are indented, so nothing a client sends
    can forge a line of its own (GET /nb/x%0a2026-12-04 … INFO … would otherwise write one)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = escape_control_characters(record.message)
        return super().formatMessage(record)

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return indent_lines(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's name
        return indent_lines(super().formatStack(stack_info))


def indent_lines(text: str) -> str:
    return "\n".join("  | " + escape_control_characters(line) for line in text.split("\n"))


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being served (or "-") on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": escape_control_characters(record.getMessage()),
        }
        entry.update(
            {name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, log_format: str) -> None:
    """One handler on the root logger (standard error), made once per process and re-dressed
    when another app is created with other settings (tests)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "portal_handler", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.portal_handler = True
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else EscapingFormatter(TEXT_FORMAT)
    )
    root.setLevel(level)


class RequestLogMiddleware:
    """Gives each request an id (the proxy's, when it is trusted, else a new one), returns it in
    X-Request-ID and writes one line when the app has answered."""

    def __init__(self, wsgi_app, trust_incoming_id: bool):
        self.wsgi_app = wsgi_app
        self.trust_incoming_id = trust_incoming_id

    def _request_id(self, environ) -> str:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        if self.trust_incoming_id and INCOMING_REQUEST_ID.fullmatch(incoming):
            return incoming
        return uuid.uuid4().hex

    def __call__(self, environ, start_response):
        request_id = self._request_id(environ)
        context_token = request_id_var.set(request_id)
        started = time.perf_counter()
        seen = {"status": 0, "bytes": None}

        def start_response_with_id(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            seen["bytes"] = next((v for k, v in headers if k.lower() == "content-length"), None)
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start_response_with_id)
        except BaseException:
            seen["status"] = seen["status"] or 500
            raise
        finally:
            # Flask has answered (start_response is called before it returns; no view streams):
            # the time is the app's, not the client's download.
            _log_request(environ, seen, started)
            request_id_var.reset(context_token)
        return body


def _log_request(environ, seen: dict, started: float) -> None:
    path = redact(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    method = environ.get("REQUEST_METHOD", "-")
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    request_log.info(
        "%s %s %s %sms",
        method,
        path,
        seen["status"],
        duration_ms,
        extra={
            "method": method,
            "path": path,
            "status": seen["status"],
            "duration_ms": duration_ms,
            "bytes": int(seen["bytes"]) if seen["bytes"] else None,
        },
    )
