"""Password hashing, CSRF and the security headers on every response."""

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from portal.forms.validation import has_control_characters

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: Flask-WTF's strict HTTPS check needs a same-origin Referer.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=63072000; includeSubDomains"

csrf = CSRFProtect()


def _add_security_headers(response):
    # One pass over the existing headers instead of a linear setdefault per header.
    present = {name.lower() for name in response.headers.keys()}  # noqa: SIM118 - Headers iterates pairs
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        response.headers.add("Strict-Transport-Security", HSTS)
    return response


class CookieFirstSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building a signer for requests that have no cookie
    (most public page views)."""

    def open_session(self, app, request):
        if app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def private_cookie(key: str, value: str, max_age: int) -> dict:
    """set_cookie arguments for a cookie only this site's server reads."""
    return {
        "key": key,
        "value": value,
        "max_age": max_age,
        "secure": current_app.config["SESSION_COOKIE_SECURE"],
        "httponly": True,
        "samesite": "Lax",
    }


def no_store(response):
    """For pages that show personal data: no copy in any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def password_hasher() -> PasswordHasher:
    """argon2id; the cheapest parameters in tests (set by the test config)."""
    if current_app.config.get("ARGON2_CHEAPEST"):
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return password_hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _refuse_control_characters_in_path():
    """A path with control characters (%00, %0a) names no page: 404, before a view passes it to
    the database (PostgreSQL refuses NUL) or into a header."""
    if has_control_characters(request.path, line_breaks_allowed=False):
        abort(404)


def _refuse_oversized_chunked_bodies():
    """A body without a length (chunked) is read up to MAX_CONTENT_LENGTH and no further: one
    byte more is a 413, as a declared length over the limit is. (Werkzeug would otherwise stop at
    the limit quietly and parse what it had.)"""
    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and request.content_length is None
        and request.environ.get("wsgi.input_terminated")
    ):
        request.get_data(cache=True)  # at most the limit; forms are parsed from this copy
        request.stream.read(1)  # raises RequestEntityTooLarge when there is more


class AsciiIntegerConverter(IntegerConverter):
    """<int:…> in a URL takes ASCII digits only: Werkzeug's \\d also matches "١" and "１"."""

    regex = r"[0-9]+"


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = AsciiIntegerConverter
    app.before_request(_refuse_control_characters_in_path)
    app.before_request(_refuse_oversized_chunked_bodies)
    app.session_interface = CookieFirstSessionInterface()
    csrf.init_app(app)
    app.after_request(_add_security_headers)
