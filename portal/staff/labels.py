"""Names of roles, the staff menu, and of messages and their states, in the staff pages' language."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "caseworker": _l("Caseworker"),
    "reception": _l("Front desk"),
}

# (endpoint, label, roles that see it)
STAFF_MENU = (
    ("staff_cases.queue", _l("Cases"), ("admin", "caseworker")),
    ("staff_desk.day_list", _l("Day list"), ("admin", "caseworker", "reception")),
    ("staff_desk.closures", _l("Closures"), ("admin", "reception")),
    ("staff_admin.accounts", _l("Staff accounts"), ("admin",)),
    ("staff_admin.outbox", _l("Messages"), ("admin",)),
    ("staff_admin.audit_log", _l("Audit log"), ("admin",)),
    ("staff_settings.settings", _l("Settings"), ("admin",)),
)

MESSAGE_KINDS = {
    "booking_confirmed": _l("Booking confirmed"),
    "booking_reminder": _l("Reminder the day before"),
    "booking_moved": _l("Booking moved"),
    "booking_cancelled": _l("Booking cancelled"),
    "booking_closed": _l("Booking cancelled: office closed"),
    "registration_received": _l("Registration received"),
    "caseworker_message": _l("A caseworker wrote"),
    "draft_link": _l("Link to a saved registration"),
    "booking_link": _l("The booking's link, sent again"),
    "status_link": _l("A new status link"),
}
MESSAGE_STATES = {
    "pending": _l("Waiting"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "cancelled": _l("Not needed any more"),
}
CHANNELS = {"sms": _l("SMS"), "email": _l("E-mail")}
