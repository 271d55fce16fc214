"""The `portal` command: Flask's CLI plus db, demo, staff and translations commands."""

import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from portal import audit, db
from portal.appointments import closures
from portal.appointments import services as booking_services
from portal.db import schema
from portal.ops.demo import load_demo_data
from portal.pages import translations
from portal.profile import clock, get_profile
from portal.registration.services import purge_expired_drafts
from portal.staff.services import StaffAccountError, create_or_update_account


def _create_app():
    from portal import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main():
    """Ankomst portal management."""


# --- database -----------------------------------------------------------------------------
@click.group("db", cls=AppGroup)
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


# --- demo and staff -----------------------------------------------------------------------
@click.group("demo", cls=AppGroup)
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
    click.echo(f"Staff pages: {login['url']} (new passwords on every `make run`)")
    if not current_app.config["STAFF_TOTP_REQUIRED"]:
        click.echo(
            "  The authenticator-app step is off for this demo (PORTAL_STAFF_TOTP_REQUIRED=false);\n"
            "  set up an app from the account page, or run with PORTAL_STAFF_TOTP_REQUIRED=true."
        )


@click.group("staff", cls=AppGroup)
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
    session = db.get_session()
    try:
        account = create_or_update_account(
            session, get_profile(), email=email, name=name, role=role,
            departments=list(departments), password=password,
        )  # fmt: skip
    except StaffAccountError as error:
        raise click.ClickException(str(error)) from error
    session.flush()
    audit.record(
        session, "staff_created", target_type="staff", target_id=account.id,
        details={"role": role, "departments": list(departments), "by": "command line"},
    )  # fmt: skip
    session.commit()
    click.echo(f"Staff account {account.email} ({account.role}) is ready.")


# --- translations -------------------------------------------------------------------------
@click.group("translations", cls=AppGroup)
def translations_group():
    """UI catalogs and translated pages."""


@translations_group.command("extract")
def translations_extract():
    """Collect UI strings from code and templates into translations/messages.pot."""
    translations.extract()


@translations_group.command("update")
def translations_update():
    """Merge messages.pot into every catalog (creating missing ones)."""
    translations.update()


@translations_group.command("compile")
def translations_compile():
    """Compile every catalog to .mo."""
    translations.compile_catalogs()


@translations_group.command("status")
def translations_status():
    """Share of UI strings translated and the state of each page, per locale."""
    report = translations.status(current_app.extensions["pages"])
    click.echo(report.text)
    if not report.complete:
        raise SystemExit(1)


@translations_group.command("stamp")
@click.argument("locale")
@click.argument("slugs", nargs=-1)
def translations_stamp(locale, slugs):
    """Mark translated pages as made from the current Norwegian source (after updating them)."""
    stamped = translations.stamp(current_app.extensions["pages"], locale, slugs)
    click.echo(f"Stamped {stamped} page(s) of {locale}.")


# --- closures -----------------------------------------------------------------------------
@click.group("closures", cls=AppGroup)
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


# --- notifications ------------------------------------------------------------------------
@click.group("outbox", cls=AppGroup)
def outbox_group():
    """Messages waiting to be sent by SMS and e-mail."""


@outbox_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running (for a service), sending what falls due.")
@click.option(
    "--interval", default=10, show_default=True, help="Seconds between rounds with --loop."
)
def outbox_send(loop, interval):
    """Send the messages that are due (retries with back-off; failed after the last attempt)."""
    from portal.notify import transports, worker

    channels = transports.from_config(current_app.config)
    from portal import i18n
    from portal.links.urls import public_base
    from portal.notify import texts
    from portal.notify.models import KINDS

    for code, kind, parts in texts.too_long(public_base(), i18n.locales(), KINDS):
        current_app.logger.warning(
            "with this address, the %s message in %s takes %d SMS segments", kind, code, parts
        )
    while True:
        try:
            counts = worker.send_due(db.get_session(), channels)
            db.beat(worker.OUTBOX_WORKER)
        except Exception:  # a database hiccup: log it, try again next round
            if not loop:
                raise
            current_app.logger.exception("outbox round failed")
            counts = {}
        finally:
            db.discard_session()  # a broken transaction must not carry into the next round
        if any(counts.values()) or not loop:
            click.echo(", ".join(f"{n} {outcome}" for outcome, n in counts.items()))
        if not loop:
            return
        time.sleep(interval)


@outbox_group.command("list")
@click.option("--state", default=None, help="pending, sending, sent, failed or cancelled")
def outbox_list(state):
    """The newest 50 messages (no text: only what, to whom, and how it went)."""
    from sqlalchemy import select

    from portal.notify.models import OutboxMessage

    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
    if state:
        query = query.where(OutboxMessage.status == state)
    for m in db.get_session().scalars(query):
        click.echo(
            f"{m.id:>6}  {m.status:<9} {m.kind:<22} {m.channel:<5} attempts {m.attempts}  {m.last_error or ''}"
        )


# --- backup -------------------------------------------------------------------------------
@click.command("backup")
@click.option("--to", "target", type=click.Path(dir_okay=False), default=None,
              help="The file to write (default: instance/backups/portal-<time>.db).")  # fmt: skip
@with_appcontext
def backup_command(target):
    """A consistent copy of the running SQLite database (online backup API)."""
    from pathlib import Path

    from portal.ops.backup import BackupError, backup_sqlite, default_target

    path = Path(target) if target else default_target(current_app.config["INSTANCE_DIR"])
    try:
        written = backup_sqlite(db.get_engine(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {written}")


# --- retention ----------------------------------------------------------------------------
@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
@with_appcontext
def purge_command(dry_run):
    """Enforce retention (run daily): expired drafts, bookings and finished messages past the
    profile's days, closed cases anonymised, old audit entries deleted."""
    from sqlalchemy import func, select

    from portal.appointments.models import Booking
    from portal.notify.models import OutboxMessage
    from portal.notify.outbox import finished_before, purge_finished
    from portal.ops import retention
    from portal.registration.models import Draft

    session, profile, now = db.get_session(), get_profile(), clock.now()
    days, case_days, audit_days = (
        profile.booking_retention_days,
        profile.case_retention_days,
        profile.audit_retention_days,
    )
    cases = retention.closed_cases_due(session, now, case_days)
    if dry_run:

        def count(model, condition) -> int:
            return session.scalar(select(func.count()).select_from(model).where(condition))

        click.echo(f"Would delete {count(Draft, Draft.expires_at <= now)} expired draft(s).")
        click.echo(
            f"Would delete {count(Booking, booking_services.past_retention(now, days))} booking(s) more than {days} days past."
        )
        click.echo(
            f"Would delete {count(OutboxMessage, finished_before(now, days))} finished message(s) older than {days} days."
        )
        click.echo(f"Would anonymise {len(cases)} case(s) closed more than {case_days} days ago.")
        click.echo(
            f"Would delete {retention.old_audit_entries(session, now, audit_days)} audit entries older than {audit_days} days."
        )
        return
    click.echo(f"Deleted {purge_expired_drafts(session)} expired draft(s).")
    bookings = booking_services.purge_old_bookings(session, now, days)
    click.echo(f"Deleted {bookings} booking(s) more than {days} days past.")
    click.echo(
        f"Deleted {purge_finished(session, now, days)} finished message(s) older than {days} days."
    )
    retention.anonymise_cases(session, cases)
    audit_deleted = retention.delete_old_audit_entries(session, now, audit_days)
    session.commit()
    click.echo(f"Anonymised {len(cases)} case(s) closed more than {case_days} days ago.")
    click.echo(f"Deleted {audit_deleted} audit entries older than {audit_days} days.")
    db.refresh_statistics()


def register_commands(app: Flask) -> None:
    for group in (
        db_group,
        demo_group,
        staff_group,
        translations_group,
        closures_group,
        outbox_group,
    ):
        app.cli.add_command(group)
    app.cli.add_command(purge_command)
    app.cli.add_command(backup_command)
