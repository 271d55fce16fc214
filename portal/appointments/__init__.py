"""Appointments at the front desk. The public side: slots, booking, the manage link, the calendar
file. The staff side (appointments/staff): the day list, attendance and closures."""

from zoneinfo import ZoneInfo

from flask import Flask

from portal.appointments import (
    cli,
    messages,
    models,  # noqa: F401 - the package's tables are known once it is imported
    views,
)
from portal.appointments.labels import BRING_LABELS, INTERPRETER_MODES, TOPIC_LABELS
from portal.appointments.services import utc
from portal.appointments.staff import views as staff_views
from portal.profile import ProfileError


def init_app(app: Flask) -> None:
    messages.init_app()
    profile = app.extensions["profile"]
    unknown = set(profile.booking.topics) - set(TOPIC_LABELS)
    if unknown:
        raise ProfileError(f"booking topics without a translated name: {sorted(unknown)}")
    if set(profile.bring) - set(BRING_LABELS):
        raise ProfileError(
            f"visit.bring has unknown keys: {sorted(set(profile.bring) - set(BRING_LABELS))}"
        )
    zone = ZoneInfo(profile.timezone)

    def _template_helpers():
        return {
            "topic_labels": TOPIC_LABELS,
            "interpreter_modes": INTERPRETER_MODES,
            "bring_labels": BRING_LABELS,
            "profile_zone": zone,
        }

    app.context_processor(_template_helpers)
    app.jinja_env.filters["local_time"] = lambda moment: utc(moment).astimezone(zone)
    app.register_blueprint(views.booking_bp)
    app.register_blueprint(views.manage_bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(cli.commands)
