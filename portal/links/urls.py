"""Absolute links built from the configured public address, never from the Host header."""

from flask import current_app, request, url_for


def absolute_url(endpoint: str, **values) -> str:
    """https://portal.example.no/uk/... (PORTAL_BASE_URL; in development the request's host)."""
    base = current_app.config["BASE_URL"] or request.host_url.rstrip("/")
    return base + url_for(endpoint, **values)


def public_base() -> str:
    """The public address, outside any request too (messages sent by the outbox worker)."""
    return current_app.config["BASE_URL"] or current_app.config["DEV_BASE_URL"]


def public_url(endpoint: str, **values) -> str:
    """An absolute link for a message, built without a request (give `lang` where the page has
    a language prefix)."""
    return public_base() + current_app.url_map.bind("localhost").build(endpoint, values)


def short_link_url(token: str) -> str:
    return public_url("short_links.follow", token=token)
