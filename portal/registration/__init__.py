"""Family-reunification registration: eligibility, steps, drafts, check, submit, receipt."""

from flask import Flask

from portal.registration import (
    messages,
    models,  # noqa: F401 - the package's tables are known once it is imported
    submissions,
    views,
)
from portal.registration.steps import progress


def init_app(app: Flask) -> None:
    messages.init_app()
    submissions.init_app()
    app.jinja_env.globals["registration_progress"] = progress
    app.register_blueprint(views.bp)
