"""How people get back to their things without an account: tokens (random, stored as hashes),
references (FG-…, TB-…), the private link's exchange for a cookie, short links for text
messages (/k/…), links retired when a newer one is sent, absolute URLs, and the page a
private-link page shows when it is reached without a working link. A low floor: it imports no
feature; features call it."""

from flask import Flask

from portal.links import models  # noqa: F401 - the package's tables are known once it is imported
from portal.links.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
