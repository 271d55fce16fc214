"""The case queue and the case page. Every case is loaded through workflow.visible_cases, so a
case outside the person's departments is simply not found (404)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit, clock, i18n
from portal.cases import workflow
from portal.cases.labels import CASE_TYPE_LABELS
from portal.db import get_session
from portal.registration import services as registration_services
from portal.staff import case_choices, case_page
from portal.staff import queue as case_queue
from portal.staff.case_forms import BulkForm, QueueFilterForm
from portal.staff.forms import ConfirmForm
from portal.staff.labels import STATUS_LABELS, WORKFLOW_PROBLEMS
from portal.staff.links import contact_lines, new_link_message
from portal.staff.locale import staff_blueprint
from portal.staff.session import staff_required
from portal.validation import ascii_number

bp = staff_blueprint("staff_cases", __name__, "/staff/cases")
case_staff = staff_required("admin", "caseworker")
CHOICE_FILTERS = ("case_type", "status", "department", "assignee", "language", "sort")


def _filter_from_request() -> tuple[QueueFilterForm, case_queue.QueueFilter]:
    form = QueueFilterForm(request.args)
    case_choices.fill_filter_form(form, get_session(), current_user)
    form.validate()
    wanted = case_queue.QueueFilter(
        **{name: form[name].data or "" for name in CHOICE_FILTERS},
        interpreter=bool(form.interpreter.data), overdue=bool(form.overdue.data),
        search=form.search.data or "",
    )  # fmt: skip
    for name in CHOICE_FILTERS:
        if form[name].errors:  # a value no longer offered (an old bookmark): its default
            setattr(wanted, name, form[name].default)
    return form, wanted


@bp.get("/")
@case_staff
def queue():
    form, wanted = _filter_from_request()
    page = case_queue.queue_page(
        get_session(), current_user, wanted, request.args.get("page", 1, type=int)
    )
    bulk = BulkForm(prefix="bulk")
    case_choices.fill_bulk_form(bulk, get_session(), current_user)
    return render_template(
        "staff/cases/queue.html", filters=form, wanted=wanted, result=page, bulk=bulk,
        today=clock.today(), status_labels=STATUS_LABELS, type_labels=CASE_TYPE_LABELS,
        locales=i18n.load_registry(), is_overdue=case_queue.is_overdue,
    )  # fmt: skip


@bp.get("/export.csv")
@case_staff
def export():
    """The filtered queue as CSV, for reports. Written to the audit log with its filters."""
    _form, wanted = _filter_from_request()
    session = get_session()
    cases = case_queue.export_rows(session, current_user, wanted)
    audit.record(
        session,
        "cases_exported",
        actor=current_user,
        details={"filters": wanted.audit_args(), "count": len(cases)},
    )
    session.commit()
    text = case_queue.export_csv(cases, case_choices.export_header(), case_choices.export_row)
    filename = f"cases-{clock.today().isoformat()}.csv"
    return Response(
        "\ufeff" + text, mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


@bp.post("/bulk")
@case_staff
def bulk():
    form = BulkForm(prefix="bulk")
    session = get_session()
    case_choices.fill_bulk_form(form, session, current_user)
    ids = [n for n in map(ascii_number, request.form.getlist("case_ids")) if n is not None]
    back = url_for(".queue", **_filter_from_request()[1].query_args())
    if not form.validate_on_submit() or not ids:
        flash(_("Choose one or more cases and what to do with them."))
        return redirect(back)
    done, refused = case_page.apply_bulk(session, current_user, ids, form)
    if done:
        flash(_("%(count)d cases were changed.", count=len(done)))
    if refused:
        flash(_("These cases could not be changed: %(references)s. %(reason)s",
                references=", ".join(refused), reason=WORKFLOW_PROBLEMS["transition"] if form.action.data == "status" else WORKFLOW_PROBLEMS["assignee"]))  # fmt: skip
    return redirect(back)


@bp.get("/<reference>")
@case_staff
def show(reference: str):
    case = workflow.load_case(get_session(), current_user, reference)
    if case is None:
        abort(404)
    case.unread_answer = False  # someone on the staff has now seen the answer
    audit.record(
        get_session(),
        "case_viewed",
        actor=current_user,
        target_type="case",
        target_id=case.reference,
    )
    get_session().commit()
    return case_page.render(case)


@bp.route("/<reference>/new-link", methods=["GET", "POST"])
@case_staff
def new_link(reference: str):
    """Send the applicant a new status link (asked once, on its own page)."""
    session = get_session()
    case = workflow.load_case(session, current_user, reference) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        sent_to = case_page.send_new_link(session, case, current_user)
        flash(new_link_message(sent_to))
        return redirect(url_for(".show", reference=case.reference))
    contacts = contact_lines(registration_services.contacts_of_case(session, case))
    return render_template("staff/links/new_link.html", form=form, contacts=contacts,
                           what=_("For case %(reference)s.", reference=case.reference),
                           back=url_for(".show", reference=case.reference))  # fmt: skip


@bp.post("/<reference>/<action>")
@case_staff
def act(reference: str, action: str):
    """status, assign, move, note or message: one form each, back to the case page."""
    if action not in case_page.ACTIONS:
        abort(404)
    session = get_session()
    case = workflow.load_case(session, current_user, reference, for_update=True)
    if case is None:
        abort(404)
    outcome = case_page.ACTIONS[action](session, case, current_user)
    if outcome.problem_form is not None:  # the case is shown again: a view like any other
        audit.record(
            session, "case_viewed", actor=current_user, target_type="case", target_id=case.reference
        )
        session.commit()
        return case_page.render(case, **{outcome.form_name: outcome.problem_form}), 400
    flash(outcome.message)
    if outcome.redirect_to_queue:
        return redirect(url_for(".queue"))
    return redirect(url_for(".show", reference=case.reference))
