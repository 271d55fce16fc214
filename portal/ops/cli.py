"""Commands for running the portal: `portal db` (migrations), `portal demo load`, `portal backup`
and `portal purge` (retention)."""

from pathlib import Path

import click
from flask import Blueprint, current_app

from portal import db
from portal.db import schema
from portal.ops import retention
from portal.ops.backup import BackupError, backup_sqlite, default_target
from portal.ops.demo import load_demo_data
from portal.profile import clock, get_profile

commands = Blueprint("ops_commands", __name__, cli_group=None)


@commands.cli.group("db")
def db_group():
    """Schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Apply migrations up to REVISION (default: the newest)."""
    schema.upgrade(db.get_engine(), revision)
    db.refresh_statistics()
    click.echo(f"Database at {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Undo migrations down to REVISION (e.g. base)."""
    schema.downgrade(db.get_engine(), revision)
    click.echo(f"Database at {revision}.")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message):
    """Write a new migration from the models (for developers)."""
    schema.revision(db.get_engine(), message)


@commands.cli.group("demo")
def demo_group():
    """Demo data."""


@demo_group.command("load")
def demo_load():
    """Create the demo staff accounts with new random passwords (and, into an empty database, a
    few fictional cases) and print the logins."""
    login = load_demo_data(db.get_session(), get_profile())
    click.echo(f"Demo staff login: {login['email']} / {login['password']}")
    for role, (email, password) in login["logins"].items():
        if role != "admin":
            click.echo(f"  also {role}: {email} / {password}")
    if login["cases"]:
        click.echo(f"  {login['cases']} fictional demo cases added")
    _echo_demo_bookings(login["bookings"])
    click.echo(f"Staff pages: {login['url']} (new passwords on every `make run`)")
    if not current_app.config["STAFF_TOTP_REQUIRED"]:
        click.echo(
            "  The authenticator-app step is off for this demo (PORTAL_STAFF_TOTP_REQUIRED=false);\n"
            "  set up an app from the account page, or run with PORTAL_STAFF_TOTP_REQUIRED=true."
        )


def _day(day) -> str:
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def _echo_demo_bookings(bookings) -> None:
    """Where the front desk's day list has demo bookings to check in."""
    if bookings.skipped:
        click.echo("  Demo bookings: none added (the database has real bookings or cases)")
        return
    if not bookings.today_open:
        click.echo(f"  The office is closed today ({_day(clock.today())}): the demo bookings are "
                   "on the next open days (check-in opens on the day itself)")  # fmt: skip
    for demo_day in bookings.days:
        when = " (today)" if demo_day.day == clock.today() else ""
        done = f"{demo_day.added} added" if demo_day.added else "there already"
        click.echo(f"  Demo bookings on {_day(demo_day.day)}{when}: {done}; "
                   f"day list /staff/desk/?day={demo_day.day.isoformat()}")  # fmt: skip


@commands.cli.command("backup")
@click.option("--to", "target", type=click.Path(dir_okay=False), default=None,
              help="The file to write (default: instance/backups/portal-<time>.db).")  # fmt: skip
def backup_command(target):
    """A consistent copy of the running SQLite database (online backup API)."""
    path = Path(target) if target else default_target(current_app.config["INSTANCE_DIR"])
    try:
        written = backup_sqlite(db.get_engine(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {written}")


@commands.cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
def purge_command(dry_run):
    """Enforce retention (run daily): expired drafts, bookings and finished messages past the
    profile's days, closed cases anonymised, old audit entries deleted."""
    session, profile, now = db.get_session(), get_profile(), clock.now()
    if dry_run:
        outcomes = retention.plan(session, now, profile)
    else:
        outcomes = retention.apply(session, now, profile)
        db.refresh_statistics()
    for outcome in outcomes:
        click.echo(outcome.line(done=not dry_run))
