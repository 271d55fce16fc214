"""The staff side under /staff/: login with a second factor, the case queue, the front desk's day
list and closures, and administration (accounts, audit log, settings)."""

from flask import Flask, g
from flask_login import current_user

from portal import clock
from portal.db import get_session
from portal.notify import outbox
from portal.staff import session as staff_session
from portal.staff.labels import CHANNELS, MESSAGE_KINDS, MESSAGE_STATES, ROLE_LABELS, STAFF_MENU


def init_app(app: Flask) -> None:
    from portal.staff import views_admin, views_auth, views_cases, views_desk

    staff_session.init_app(app)
    for module in (views_auth, views_cases, views_desk, views_admin):
        app.register_blueprint(module.bp)

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
