"""Notifications: an outbox filled in the same transaction as the change that causes a message,
and a worker that delivers due messages by SMS or email with retries."""

from flask import Flask

from portal.notify import (
    cli,
    models,  # noqa: F401 - the package's tables are known once it is imported
)


def init_app(app: Flask) -> None:
    app.register_blueprint(cli.commands)
