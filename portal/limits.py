"""Rate limits (Flask-Limiter): per client address, in Redis when configured (shared by every
worker and host), else in memory. When Redis stops answering, limits go on being counted in each
process's memory, with a warning in the log, and Redis is tried again (Flask-Limiter's
in-memory fallback); the app keeps serving."""

import logging

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")
log = logging.getLogger("portal.limits")
# A Redis that does not answer must cost a request little: fail fast, then fall back.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


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


def login_limit() -> str:
    """Staff logins and second-factor codes, per address (the lockout per account is separate)."""
    return current_app.config["RATELIMIT_LOGINS"]


def storage_state() -> str:
    """Where limits are counted now: "memory", "redis", or "memory (redis unreachable)"."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return "off"
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return "memory"
    try:
        reachable = limiter.storage.check()
    except Exception:  # noqa: BLE001 - a dead storage may raise instead of answering False
        reachable = False
    return "redis" if reachable else "memory (redis unreachable)"


def init_app(app: Flask) -> None:
    uri = app.config["RATELIMIT_STORAGE_URL"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", uri)
    if uri.startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_TIMEOUTS)
    # A storage error while counting (after the response is made) is logged, never a 500.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    with app.app_context():
        if storage_state() == "memory (redis unreachable)":
            log.warning(
                "rate limit storage unreachable at start: counting in memory until it answers"
            )
