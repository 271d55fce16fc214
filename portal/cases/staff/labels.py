"""The words of the case pages for staff, in the staff pages' language."""

from flask_babel import lazy_gettext as _l

# Case statuses as staff name them (cases/labels.py words them for the applicant).
STATUS_NAMES = {
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
