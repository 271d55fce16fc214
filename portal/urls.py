"""Absolute links built from the configured public address, never from the Host header."""

from flask import current_app, request, url_for


def absolute_url(endpoint: str, **values) -> str:
    """https://portal.example.no/uk/... (PORTAL_BASE_URL; in development the request's host)."""
    base = current_app.config["BASE_URL"] or request.host_url.rstrip("/")
    return base + url_for(endpoint, **values)
