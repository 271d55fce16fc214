"""Cases: every submission becomes one, with a status, a department and a timeline."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.cases import messages

    messages.init_app()
    from portal.cases.views import bp

    app.register_blueprint(bp)
