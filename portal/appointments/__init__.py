"""Appointment booking at the front desk: slots, booking, manage link, calendar file."""

from zoneinfo import ZoneInfo

from flask import Flask

from portal.profile import ProfileError


def init_app(app: Flask) -> None:
    from portal.appointments import messages

    messages.init_app()
    from portal.appointments.labels import INTERPRETER_MODES, TOPIC_LABELS
    from portal.appointments.services import utc
    from portal.appointments.views import booking_bp, manage_bp

    profile = app.extensions["profile"]
    unknown = set(profile.booking.topics) - set(TOPIC_LABELS)
    if unknown:
        raise ProfileError(f"booking topics without a translated name: {sorted(unknown)}")
    zone = ZoneInfo(profile.timezone)

    def _template_helpers():
        return {
            "topic_labels": TOPIC_LABELS,
            "interpreter_modes": INTERPRETER_MODES,
            "profile_zone": zone,
        }

    app.context_processor(_template_helpers)
    app.jinja_env.filters["local_time"] = lambda moment: utc(moment).astimezone(zone)
    app.register_blueprint(booking_bp)
    app.register_blueprint(manage_bp)
