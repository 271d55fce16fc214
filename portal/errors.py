"""Translated error pages that never show a stack trace."""

from flask import Flask, g, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from portal import i18n

PLAIN_500 = "500 Internal Server Error / Intern feil\n"


def _pick_locale() -> None:
    """Error pages speak the language of the URL, else the visitor's negotiated language."""
    if g.get("portal_locale"):
        return
    first_segment = request.path.strip("/").split("/", 1)[0]
    locale = i18n.get_locale_by_code(first_segment)
    if locale is None:
        code = i18n.negotiate(i18n.request_language_cookie(), request.accept_languages)
        locale = i18n.get_locale_by_code(code)
    g.portal_locale = locale


def _render(status: int):
    _pick_locale()
    return render_template(f"errors/{status}.html"), status


PAGES_OF_THEIR_OWN = {404, 405, 429}


def _http_error(error: HTTPException):
    """Every client error gets a translated page; redirects and the like pass through."""
    if error.code is None or not 400 <= error.code < 500:
        return error
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


def _log_exception(exc_info) -> None:
    """Flask's own message names the path; a short link's path holds its private token."""
    from flask import current_app

    from portal.access_log import redact

    current_app.logger.error(
        "Exception on %s [%s]", redact(request.path), request.method, exc_info=exc_info
    )


def init_app(app: Flask) -> None:
    app.log_exception = _log_exception
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
