"""Public information pages and the language picker."""

from flask import Flask

from portal.pages import cli
from portal.pages.content import PageLibrary
from portal.pages.views import bp


def init_app(app: Flask) -> None:
    app.extensions["pages"] = PageLibrary(app.config["PAGES_DIR"])
    app.register_blueprint(bp)
    app.register_blueprint(cli.commands)
