"""Administration: staff accounts, the audit log, and the settings that come from the profile."""

from portal.staff.locale import staff_blueprint
from portal.staff.session import staff_required

bp = staff_blueprint("staff_admin", __name__, "/staff/admin")


@bp.get("/accounts/")
@staff_required("admin")
def accounts():
    raise NotImplementedError  # being written


@bp.get("/audit/")
@staff_required("admin")
def audit_log():
    raise NotImplementedError  # being written


@bp.get("/settings")
@staff_required("admin")
def settings():
    raise NotImplementedError  # being written
