"""Running the portal: health checks, demo data, backups, retention and their commands."""

from flask import Flask

from portal.ops import cli, health


def init_app(app: Flask) -> None:
    health.init_app(app)
    app.register_blueprint(cli.commands)
