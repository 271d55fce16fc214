"""Rate limits (Flask-Limiter): per client address, in Redis when configured, else in memory."""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


def lookup_limit() -> str:
    """Private-link lookups (status, resume): guessing tokens must be slow."""
    return current_app.config["RATELIMIT_LOOKUPS"]


def submit_limit() -> str:
    """Form posts that create or send something."""
    return current_app.config["RATELIMIT_SUBMITS"]


def succeeded(response) -> bool:
    """Count a form post against the limit only when it made something (a redirect onwards):
    a person correcting mistakes behind a shared address does not use up the budget."""
    return response.status_code in (302, 303)


def not_found(response) -> bool:
    """Count a private-link lookup only when it found nothing: that is what guessing looks like."""
    return response.status_code == 404


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["RATELIMIT_STORAGE_URL"])
    limiter.init_app(app)


def login_limit() -> str:
    """Staff logins and second-factor codes, per address (the lockout per account is separate)."""
    return current_app.config["RATELIMIT_LOGINS"]
