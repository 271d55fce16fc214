"""Staff accounts, sign-in with a second factor, sessions, the frame of every staff page (its
language, menu and refusals), and administration (accounts, the audit log, the messages page).
Each feature's own staff pages live in that feature (cases/staff, appointments/staff) and use
this package's sessions and page frame; this package imports no feature."""

from flask import Flask, g
from flask_login import current_user

from portal.db import get_session
from portal.notify import outbox
from portal.profile import clock
from portal.staff import (
    cli,
    locale,
    models,  # noqa: F401 - the package's tables are known once it is imported
    views,
)
from portal.staff import session as staff_session
from portal.staff.admin import views as admin_views
from portal.staff.labels import CHANNELS, MESSAGE_KINDS, MESSAGE_STATES, ROLE_LABELS, STAFF_MENU


def init_app(app: Flask) -> None:
    staff_session.init_app(app)
    # Mistyped addresses under /staff/ get the staff 404, not the public one (pages/errors.py).
    app.extensions.setdefault("error_pages", {})[f"{locale.URL_PREFIX}/"] = (
        locale.staff_address_error
    )
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(cli.commands)

    @app.context_processor
    def _inject_staff_names():
        if not g.get("staff_page"):
            return {}
        profile = app.extensions["profile"]
        return {
            "public_messages_paused": _public_messages_paused(),
            "role_labels": ROLE_LABELS,
            "staff_menu": STAFF_MENU,
            "message_kinds": MESSAGE_KINDS,
            "message_states": MESSAGE_STATES,
            "channels": CHANNELS,
            "department_names": {d.key: d.name for d in profile.departments},
        }


def _public_messages_paused() -> bool:
    """Administrators are told on every staff page while the public message budget is spent."""
    if not (current_user.is_authenticated and current_user.role == "admin"):
        return False
    return outbox.public_budget_spent(get_session(), clock.now())
