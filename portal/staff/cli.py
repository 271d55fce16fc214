"""`portal staff`: staff accounts from the command line (the first administrator, or a reset)."""

import sys

import click
from flask import Blueprint

from portal import db
from portal.profile import get_profile
from portal.staff.admin import services as admin
from portal.staff.services import StaffAccountError

commands = Blueprint("staff_commands", __name__, cli_group=None)


@commands.cli.group("staff")
def staff_group():
    """Staff accounts."""


@staff_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "caseworker", "reception"]))
@click.option(
    "--department", "departments", multiple=True,
    help="A department key from the profile; repeat for several.",
)  # fmt: skip
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_create(email, name, role, departments, password_stdin):
    """Create a staff account (or reset one). The password is never taken from the command line."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account = admin.set_up_from_command_line(
            db.get_session(), get_profile(), email=email, name=name, role=role,
            departments=list(departments), password=password,
        )  # fmt: skip
    except StaffAccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Staff account {account.email} ({account.role}) is ready.")
