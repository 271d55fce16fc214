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

from portal.access_log import redact

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# What a proxy may hand us as its request id (nginx's $request_id is 32 hex digits).
INCOMING_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "bytes")
request_log = logging.getLogger("portal.request")


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
            "message": record.getMessage(),
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
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
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
