"""Family-reunification registration: eligibility, steps, drafts, check, submit, receipt."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.registration import messages

    messages.init_app()
    from portal.registration.steps import progress
    from portal.registration.views import bp

    app.jinja_env.globals["registration_progress"] = progress
    app.register_blueprint(bp)
