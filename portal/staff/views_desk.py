"""The front desk: the day list with check-in and no-show, and closures."""

from portal.staff.locale import staff_blueprint
from portal.staff.session import staff_required

bp = staff_blueprint("staff_desk", __name__, "/staff")


@bp.get("/desk/")
@staff_required()
def day_list():
    raise NotImplementedError  # being written


@bp.get("/closures/")
@staff_required("admin", "reception")
def closures():
    raise NotImplementedError  # being written
