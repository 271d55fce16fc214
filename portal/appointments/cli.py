"""`portal closures`: whole days the front desk is closed, from the command line. The rules (and
the audit entry) are those of the staff page: appointments/closures.py."""

import click
from flask import Blueprint

from portal import db
from portal.appointments import closures

commands = Blueprint("appointments_commands", __name__, cli_group=None)


@commands.cli.group("closures")
def closures_group():
    """Whole days the front desk is closed (public holidays are closed already)."""


@closures_group.command("add")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: --from).")
@click.option("--reason", required=True, help="For staff; never shown to the public.")
def closures_add(first, last, reason):
    """Close the front desk; lists the bookings the closure hits (written to the audit log)."""
    last = last or first
    try:
        closure, hit = closures.add(db.get_session(), first.date(), last.date(), reason)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Closure {closure.id}: {closure.first_day} to {closure.last_day} ({reason}).")
    if hit:
        click.echo(f"{len(hit)} booking(s) on these days; contact them:")
        for booking in hit:
            click.echo(
                f"  {booking.reference}  {booking.starts_at:%Y-%m-%d %H:%M} UTC  {booking.phone}"
            )


@closures_group.command("list")
def closures_list():
    """Closures from today on."""
    for closure in closures.upcoming(db.get_session()):
        click.echo(f"{closure.id:>4}  {closure.first_day} to {closure.last_day}  {closure.reason}")


@closures_group.command("remove")
@click.argument("closure_id", type=int)
def closures_remove(closure_id):
    """Open the days of a closure again (written to the audit log)."""
    closure = closures.find(db.get_session(), closure_id)
    if closure is None:
        raise click.ClickException(f"no closure {closure_id}")
    closures.remove(db.get_session(), closure)
    click.echo(f"Closure {closure_id} removed.")
