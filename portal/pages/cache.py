"""A per-process cache of rendered public pages.

Public information pages are the same for every visitor of a locale, and rendering them through
Flask-Babel costs most of their throughput (see DESIGN.md). Each worker keeps the rendered bytes
per path (and per host when no PORTAL_BASE_URL is set, as in development); nothing personal is
cached, and losing the cache loses nothing.

A hit is answered from a before_request hook registered ahead of the other extensions, so it skips
their per-request work too; after_request hooks (security headers) still run.
"""

from functools import wraps

from flask import Flask, Response, current_app, make_response, request

MAX_ENTRIES = 1024


def _store() -> dict:
    return current_app.extensions["page_cache"]


def _key():
    base = current_app.config["BASE_URL"]
    return request.path if base else (request.scheme, request.host, request.path)


def _serve_from_cache():
    if request.method not in ("GET", "HEAD") or not current_app.config["PAGE_CACHE"]:
        return None
    hit = _store().get(_key())
    if hit is None:
        return None
    body, headers = hit
    return Response(body, status=200, headers=headers)


def cached_page(view):
    """Mark a GET view whose 200 responses are the same for everyone: they get cached."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        cacheable = response.status_code == 200 and not response.headers.get("Set-Cookie")
        if current_app.config["PAGE_CACHE"] and cacheable:
            store = _store()
            if len(store) >= MAX_ENTRIES:
                store.clear()
            store[_key()] = (response.get_data(), list(response.headers.items()))
        return response

    return wrapper


def init_app(app: Flask) -> None:
    """Call before the extensions whose before_request work a cache hit should skip."""
    app.extensions["page_cache"] = {}
    app.before_request(_serve_from_cache)
