"""The `portal` command: Flask's CLI on the app. Each package brings its own command group on a
blueprint it registers in create_app (ops: db, demo, backup, purge; pages: translations; staff;
appointments: closures; notify: outbox), so this module only hands Flask the factory."""

import click
from flask.cli import FlaskGroup

from portal import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main():
    """Ankomst portal management."""
