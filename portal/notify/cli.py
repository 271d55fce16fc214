"""`portal outbox`: run the sender (a service runs `portal outbox send --loop`) and list messages."""

import time

import click
from flask import Blueprint, current_app
from sqlalchemy import select

from portal import db, i18n
from portal.links.urls import public_base
from portal.notify import texts, transports, worker
from portal.notify.models import KINDS, OutboxMessage

commands = Blueprint("notify_commands", __name__, cli_group=None)


@commands.cli.group("outbox")
def outbox_group():
    """Messages waiting to be sent by SMS and e-mail."""


@outbox_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running (for a service), sending what falls due.")
@click.option(
    "--interval", default=10, show_default=True, help="Seconds between rounds with --loop."
)
def outbox_send(loop, interval):
    """Send the messages that are due (retries with back-off; failed after the last attempt)."""
    channels = transports.from_config(current_app.config)
    profile = current_app.extensions["profile"]
    too_long = texts.too_long(public_base(), i18n.locales(), KINDS, address=profile.sms_address)
    for code, kind, parts in too_long:
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
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
    if state:
        query = query.where(OutboxMessage.status == state)
    for m in db.get_session().scalars(query):
        click.echo(
            f"{m.id:>6}  {m.status:<9} {m.kind:<22} {m.channel:<5} attempts {m.attempts}  {m.last_error or ''}"
        )
