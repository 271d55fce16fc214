"""Private links: short links for text messages (/k/…), links retired when a newer one is sent,
and the page a private-link page shows when it is reached without a working link. Imports no
feature: features call it."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.links.views import bp

    app.register_blueprint(bp)
