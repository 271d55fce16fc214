"""A per-process cache of rendered public pages.

Public information pages are the same for every visitor of a locale, and rendering them through
Flask-Babel costs most of their throughput (see DESIGN.md). Each worker keeps the rendered bytes
per (host, path); nothing personal is cached, and losing the cache loses nothing.
"""

from functools import wraps

from flask import Response, current_app, make_response, request

MAX_ENTRIES = 1024


def _store() -> dict:
    return current_app.extensions.setdefault("page_cache", {})


def cached_page(view):
    """Serve a GET view from the cache; cache its 200 responses. Off when PAGE_CACHE is False."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config["PAGE_CACHE"]:
            return view(*args, **kwargs)
        key = (request.host, request.path)
        store = _store()
        hit = store.get(key)
        if hit is not None:
            body, headers = hit
            return Response(body, status=200, headers=headers)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not response.headers.get("Set-Cookie"):
            if len(store) >= MAX_ENTRIES:
                store.clear()
            store[key] = (response.get_data(), list(response.headers.items()))
        return response

    return wrapper


def clear() -> None:
    _store().clear()
