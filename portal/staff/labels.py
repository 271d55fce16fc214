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
    ("staff_admin.audit_log", _l("Audit log"), ("admin",)),
    ("staff_admin.settings", _l("Settings"), ("admin",)),
)
