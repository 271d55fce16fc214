"""Where each type of case goes, and the settings that come from the profile, for
administrators (/staff/admin/settings)."""

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from portal.appointments.labels import TOPIC_LABELS
from portal.cases import routing
from portal.cases.labels import CASE_TYPE_LABELS
from portal.cases.staff.forms import RoutingForm
from portal.db import get_session
from portal.staff.forms import ConfirmForm
from portal.staff.locale import staff_blueprint
from portal.staff.session import staff_required

bp = staff_blueprint("staff_settings", __name__, "/staff/admin")


def _actor():
    return current_user._get_current_object()


def _routing_forms(posted: dict | None = None) -> dict:
    """A form per case type, filled with the routing in force (or with what was just posted)."""
    profile = current_app.extensions["profile"]
    forms = {}
    for case_type, (route, _chosen) in routing.effective_routing(get_session(), profile).items():
        form = (posted or {}).get(case_type) or RoutingForm(
            formdata=None,
            prefix=case_type,
            data={"department": route.department, "due_in_days": route.due_in_days},
        )
        form.department.choices = [SelectChoice(d.key, d.name) for d in profile.departments]
        forms[case_type] = form
    return forms


def _settings_page(posted: dict | None = None, status: int = 200):
    profile = current_app.extensions["profile"]
    return render_template(
        "cases/staff/settings.html",
        profile_file=Path(current_app.config["PROFILE_PATH"]).name,
        draft_days=current_app.config["DRAFT_DAYS"],
        case_type_labels=CASE_TYPE_LABELS,
        topic_labels=TOPIC_LABELS,
        routing=routing.effective_routing(get_session(), profile),
        routing_forms=_routing_forms(posted),
    ), status


@bp.get("/settings")
@staff_required("admin")
def settings():
    return _settings_page()


@bp.post("/settings/routing/<case_type>")
@staff_required("admin")
def change_routing(case_type: str):
    """Where new cases of a type go, and their due days; or back to the profile's (reset)."""
    if case_type not in CASE_TYPE_LABELS:
        abort(404)
    session, profile = get_session(), current_app.extensions["profile"]
    form = RoutingForm(prefix=case_type)
    form.department.choices = [SelectChoice(d.key, d.name) for d in profile.departments]
    if request.form.get("reset"):
        if not ConfirmForm().validate_on_submit():
            abort(400)
        after = routing.change(session, profile, case_type, _actor(), reset=True)
    elif form.validate_on_submit():
        after = routing.change(session, profile, case_type, _actor(),
                               department=form.department.data, due_in_days=form.due_in_days.data)  # fmt: skip
    else:
        return _settings_page({case_type: form}, 400)
    flash(_("New cases of this type now go to %(department)s, due in %(days)d days. Cases that have already arrived stay where they are.",
            department=profile.department(after.department).name, days=after.due_in_days))  # fmt: skip
    return redirect(url_for(".settings"))
