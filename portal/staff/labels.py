"""Names of roles and the staff menu, in the staff pages' language."""

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
    ("staff_admin.settings", _l("Settings"), ("admin",)),
)

# Case statuses as staff name them (the applicant's pages word them for the applicant).
STATUS_LABELS = {
    "received": _l("Received"),
    "in_review": _l("In review"),
    "waiting_for_applicant": _l("Waiting for the applicant"),
    "completed": _l("Completed"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}

# The verb on a status-change button or option.
STATUS_ACTIONS = {
    "in_review": _l("Start review"),
    "waiting_for_applicant": _l("Wait for the applicant"),
    "completed": _l("Complete"),
    "rejected": _l("Reject"),
    "withdrawn": _l("Mark as withdrawn"),
}

QUEUE_SORTS = {
    "due": _l("Due date, earliest first"),
    "-due": _l("Due date, latest first"),
    "newest": _l("Newest first"),
    "oldest": _l("Oldest first"),
}

WORKFLOW_PROBLEMS = {
    "transition": _l("This status change is not allowed from the case's current status."),
    "assignee": _l("This person cannot take cases of this department."),
    "department": _l("Choose one of the departments."),
    "empty": _l("Write something before you save."),
    "too_long": _l("The text is too long."),
    "closed": _l("The case is closed: no more messages can be sent."),
}

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
