"""Rate limits (Flask-Limiter): per client address, counted where every worker sees the same
counts: in Redis when configured (shared by every host), else in a small SQLite file beside the
database that every worker of this host shares (see sqlite_storage.py). When the store stops
answering, limits go on being counted in each process's memory, with a warning in the log, and
the store is tried again (Flask-Limiter's in-memory fallback); the app keeps serving."""

import logging
from pathlib import Path

from flask import Flask, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.security.limits import sqlite_storage  # noqa: F401 - registers the sqlite:// scheme

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")
log = logging.getLogger("portal.security.limits")
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
    """Where limits are counted now: "redis", "file" (this host's shared file), "memory", or
    "memory (redis unreachable)" while the store does not answer."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return "off"
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith("memory://"):
        return "memory"
    kind = "file" if uri.startswith("sqlite://") else "redis"
    try:
        reachable = limiter.storage.check()
    except Exception:  # noqa: BLE001 - a dead storage may raise instead of answering False
        reachable = False
    return kind if reachable else f"memory ({kind} unreachable)"


def storage_uri(config) -> str:
    """PORTAL_RATELIMIT_STORAGE_URL, or by default this host's shared file in the instance
    folder."""
    configured = config["RATELIMIT_STORAGE_URL"]
    if configured:
        return configured
    return f"sqlite:///{Path(config['INSTANCE_DIR']) / 'rate-limits.db'}"


def remember_retry_after(seconds: int) -> None:
    """A response that says when to come back (the 503 page) keeps its own Retry-After."""
    g.retry_after = seconds


def _keep_own_retry_after(response):
    # Registered before the limiter, so it runs after the limiter has added its headers: the
    # limiter would put the end of its own window there (an hour away for "20 per hour").
    if g.get("retry_after") is not None:
        response.headers["Retry-After"] = str(g.retry_after)
    return response


def init_app(app: Flask) -> None:
    uri = storage_uri(app.config)
    app.config.setdefault("RATELIMIT_STORAGE_URI", uri)
    if uri.startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_TIMEOUTS)
    # A storage error while counting (after the response is made) is logged, never a 500.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.after_request(_keep_own_retry_after)
    limiter.init_app(app)
    with app.app_context():
        if storage_state().startswith("memory ("):
            log.warning(
                "rate limit storage unreachable at start: counting in memory until it answers"
            )
