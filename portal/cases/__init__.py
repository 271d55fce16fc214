"""Cases: every submission becomes one, with a status, a department and a timeline. The public
side is the applicant's status page; the staff side (cases/staff) the queue, the case page and
where each type of case goes."""

from flask import Flask

from portal.cases import (
    messages,
    models,  # noqa: F401 - the package's tables are known once it is imported
    views,
)
from portal.cases.staff import settings as staff_settings
from portal.cases.staff import views as staff_views


def init_app(app: Flask) -> None:
    messages.init_app()
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(staff_settings.bp)
