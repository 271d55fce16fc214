"""The case queue and the case page."""

from portal.staff.locale import staff_blueprint
from portal.staff.session import staff_required

bp = staff_blueprint("staff_cases", __name__, "/staff/cases")


@bp.get("/")
@staff_required("admin", "caseworker")
def queue():
    raise NotImplementedError  # being written
