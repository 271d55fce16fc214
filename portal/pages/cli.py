"""`portal translations`: the UI catalogs and the translated pages (see pages/translations.py)."""

import click
from flask import Blueprint, current_app

from portal.pages import translations

commands = Blueprint("pages_commands", __name__, cli_group=None)


@commands.cli.group("translations")
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
