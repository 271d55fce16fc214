"""Password hashing, CSRF and the security headers on every response."""

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFProtect

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
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


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


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.after_request(_add_security_headers)
