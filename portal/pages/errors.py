"""Translated error pages that never show a stack trace."""

import re

from flask import Flask, current_app, make_response, render_template, request
from sqlalchemy.exc import InterfaceError, InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from portal import i18n
from portal.logs import redact
from portal.security import limits

PLAIN_500 = "500 Internal Server Error / Intern feil\n"
PLAIN_503 = "503 Service Unavailable / Tjenesten er midlertidig utilgjengelig\n"
# The database cannot be reached, is locked for too long or its disk is full: a passing trouble,
# not a bug (an IntegrityError or a ProgrammingError stays a 500).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 120
# Never written back into a page: a password or a one-time code must be typed again.
SECRET_FIELD = re.compile(r"password|code", re.IGNORECASE)


def _pick_locale() -> None:
    """Error pages speak the language of the URL, else the visitor's negotiated language."""
    if i18n.chosen_locale() is not None:
        return
    first_segment = request.path.strip("/").split("/", 1)[0]
    i18n.use_locale(i18n.get_locale_by_code(first_segment) or i18n.visitor_locale())


def _render(status: int):
    _pick_locale()
    return render_template(f"errors/{status}.html"), status


PAGES_OF_THEIR_OWN = {404, 405, 429}
# A part of the site with its own page frame (the staff pages) answers client errors under its
# addresses itself: it puts {path prefix: handler} into app.extensions["error_pages"], and its
# handler returns a response, or None to leave the error to the public pages.
AREA_ERROR_PAGES = "error_pages"


def _area_error_page(error: HTTPException):
    for prefix, handler in current_app.extensions.get(AREA_ERROR_PAGES, {}).items():
        if request.path.startswith(prefix):
            return handler(error)
    return None


def _http_error(error: HTTPException):
    """Every client error gets a translated page; redirects and the like pass through."""
    if error.code is None or not 400 <= error.code < 500:
        return error
    area_page = _area_error_page(error)
    if area_page is not None:
        return area_page
    _pick_locale()
    template = (
        f"errors/{error.code}.html" if error.code in PAGES_OF_THEIR_OWN else "errors/400.html"
    )
    response = make_response(render_template(template), error.code)
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _server_error(error):
    try:
        return _render(500)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return PLAIN_500, 500, {"Content-Type": "text/plain; charset=utf-8"}


def kept_form_fields() -> list[tuple[str, str]]:
    """What the person sent with a form that could not be saved, to send again unchanged
    (their CSRF token and the button they pressed included; passwords and codes left out)."""
    if request.method != "POST":
        return []
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not SECRET_FIELD.search(name)
    ]


def _database_unavailable(error):
    """A translated 503 page; a form that was being sent comes back on it, ready to send again."""
    current_app.logger.warning("database unavailable: %s", getattr(error, "orig", error))
    limits.remember_retry_after(RETRY_AFTER_SECONDS)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    try:
        _pick_locale()
        page = render_template(
            "errors/503.html",
            kept_fields=kept_form_fields(),
            send_again_to=request.full_path.rstrip("?"),
        )
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return PLAIN_503, 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}
    return page, 503, headers


def _log_exception(exc_info) -> None:
    """Flask's own message names the path; a short link's path holds its private token."""
    current_app.logger.error(
        "Exception on %s [%s]", redact(request.path), request.method, exc_info=exc_info
    )


# PostgreSQL states that mean "cannot write now", which the driver reports as an internal error:
# a read-only transaction (a standby, a read-only database) and insufficient resources (disk full).
UNAVAILABLE_SQLSTATES = ("25006", "53")


def _internal_database_error(error: InternalError):
    if str(getattr(error.orig, "sqlstate", "") or "").startswith(UNAVAILABLE_SQLSTATES):
        return _database_unavailable(error)
    _log_exception((type(error), error, error.__traceback__))
    return _server_error(error)


def init_app(app: Flask) -> None:
    app.log_exception = _log_exception
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, _database_unavailable)
    app.register_error_handler(InternalError, _internal_database_error)
