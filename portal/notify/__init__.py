"""Notifications: an outbox filled in the same transaction as the change that causes a message,
a worker that delivers due messages by SMS or email with retries, and short private links."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.notify.links import bp

    app.register_blueprint(bp)
