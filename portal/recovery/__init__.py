"""Getting back in: a person who lost their private link (status, booking, saved registration)
asks for a new one with the reference and the phone number or e-mail address they gave. The
new link goes to that address, never to the screen; the old link stops working."""

from flask import Flask

from portal.recovery.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
