"""Ankomst: a multilingual self-service portal for a municipal refugee service."""

import hashlib
import logging
from pathlib import Path

from flask import Flask, current_app, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import (
    appointments,
    cases,
    db,
    i18n,
    links,
    logs,
    notify,
    ops,
    pages,
    profile,
    recovery,
    registration,
    security,
    staff,
)
from portal import config as portal_config
from portal.i18n.formatting import (
    format_date,
    format_datetime,
    format_time,
    format_when,
    opening_hours_lines,
)
from portal.links import references
from portal.links.urls import absolute_url
from portal.pages import cache as page_cache
from portal.pages import errors
from portal.profile import clock
from portal.security import limits

ROOT = Path(__file__).resolve().parent.parent


def _static_url(filename: str) -> str:
    """A versioned static URL, so browsers can cache the file for a year."""
    versions = current_app.extensions["static_versions"]
    if filename not in versions:
        data = (Path(current_app.static_folder) / filename).read_bytes()
        versions[filename] = hashlib.sha256(data).hexdigest()[:10]
    return url_for("static", filename=filename, v=versions[filename])


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(portal_config.defaults())
    app.config.update(portal_config.from_environment())
    if config:
        app.config.update(config)
    portal_config.validate(app.config)
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    logging.getLogger("alembic").setLevel(logging.WARNING)

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        # Not X-Forwarded-Host: absolute links come from PORTAL_BASE_URL, not from headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    # Outermost: a trusted proxy's request id is taken over, so its log and ours line up.
    app.wsgi_app = logs.RequestLogMiddleware(
        app.wsgi_app, trust_incoming_id=app.config["TRUSTED_PROXIES"] > 0
    )

    app.extensions["static_versions"] = {}
    app.jinja_env.globals["static_url"] = _static_url
    app.jinja_env.globals["format_date"] = format_date
    app.jinja_env.globals["format_time"] = format_time
    app.jinja_env.globals["format_datetime"] = format_datetime
    app.jinja_env.globals["format_when"] = format_when
    app.jinja_env.globals["opening_hours_lines"] = opening_hours_lines
    app.jinja_env.filters["iso_utc"] = lambda moment: clock.utc(moment).isoformat()
    app.jinja_env.filters["breakable_reference"] = references.breakable
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    profile.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    page_cache.init_app(app)  # before the limiter: a cache hit skips its per-request work
    limits.init_app(app)
    pages.init_app(app)
    registration.init_app(app)
    cases.init_app(app)
    appointments.init_app(app)
    links.init_app(app)
    recovery.init_app(app)
    staff.init_app(app)
    notify.init_app(app)
    ops.init_app(app)
    errors.init_app(app)
    return app
