"""The case queue and the case page for staff: parse the form, call a service, render or
redirect. Every case is loaded through what the person may see, so a case outside their
departments is simply not found (404)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import i18n
from portal.cases import submissions, workflow
from portal.cases.labels import CASE_TYPE_LABELS
from portal.cases.staff import choices, services
from portal.cases.staff import queue as case_queue
from portal.cases.staff.forms import BulkForm, QueueFilterForm, case_page_forms, posted_form
from portal.cases.staff.labels import STATUS_NAMES, WORKFLOW_PROBLEMS
from portal.db import get_session
from portal.forms.validation import ascii_number
from portal.links.staff import contact_lines, new_link_message
from portal.profile import clock
from portal.staff.forms import ConfirmForm
from portal.staff.locale import staff_blueprint
from portal.staff.session import staff_required

bp = staff_blueprint("staff_cases", __name__, "/staff/cases")
case_staff = staff_required("admin", "caseworker")
CHOICE_FILTERS = ("case_type", "status", "department", "assignee", "language", "sort")
ACTIONS = ("status", "assign", "move", "note", "message")


def _actor():
    return current_user._get_current_object()


def _filter_from_request() -> tuple[QueueFilterForm, case_queue.QueueFilter]:
    form = QueueFilterForm(request.args)
    choices.fill_filter_form(form, get_session(), current_user)
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
    choices.fill_bulk_form(bulk, get_session(), current_user)
    return render_template(
        "cases/staff/queue.html", filters=form, wanted=wanted, result=page, bulk=bulk,
        today=clock.today(), status_labels=STATUS_NAMES, type_labels=CASE_TYPE_LABELS,
        locales=i18n.load_registry(), is_overdue=case_queue.is_overdue,
    )  # fmt: skip


@bp.get("/export.csv")
@case_staff
def export():
    """The filtered queue as CSV, for reports (audited with its filters)."""
    _form, wanted = _filter_from_request()
    cases = services.export(get_session(), _actor(), wanted)
    text = case_queue.export_csv(cases, choices.export_header(), choices.export_row)
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
    choices.fill_bulk_form(form, session, current_user)
    ids = [n for n in map(ascii_number, request.form.getlist("case_ids")) if n is not None]
    back = url_for(".queue", **_filter_from_request()[1].query_args())
    if not form.validate_on_submit() or not ids:
        flash(_("Choose one or more cases and what to do with them."))
        return redirect(back)
    value = form.assignee.data if form.action.data == "assign" else form.status.data
    people = choices.case_staff_accounts(session, current_user)
    done, refused = services.bulk_change(session, _actor(), ids, form.action.data, value, people)
    if done:
        flash(_("%(count)d cases were changed.", count=len(done)))
    if refused:
        flash(_("These cases could not be changed: %(references)s. %(reason)s",
                references=", ".join(refused), reason=WORKFLOW_PROBLEMS["transition"] if form.action.data == "status" else WORKFLOW_PROBLEMS["assignee"]))  # fmt: skip
    return redirect(back)


def _case_page(page: services.CasePage, posted: dict | None = None):
    forms = case_page_forms(page.case, page.assignable, services.department_names(), posted)
    return render_template(
        "cases/staff/case.html", case=page.case, sections=page.sections, messages=page.messages,
        locale=i18n.get_locale_by_code(page.case.locale), overdue=page.overdue,
        type_labels=CASE_TYPE_LABELS, status_labels=STATUS_NAMES,
        **{f"{name}_form": form for name, form in forms.items()},
    )  # fmt: skip


@bp.get("/<reference>")
@case_staff
def show(reference: str):
    page = services.open_case_page(get_session(), _actor(), reference)
    return _case_page(page) if page else abort(404)


@bp.route("/<reference>/new-link", methods=["GET", "POST"])
@case_staff
def new_link(reference: str):
    """Send the applicant a new status link (asked once, on its own page)."""
    session = get_session()
    case = workflow.load_case(session, current_user, reference) or abort(404)
    back = url_for(".show", reference=case.reference)
    if ConfirmForm().validate_on_submit():
        flash(new_link_message(services.send_new_link(session, _actor(), case)))
        return redirect(back)
    return render_template("links/staff/new_link.html", form=ConfirmForm(), back=back,
                           contacts=contact_lines(submissions.contacts(session, case)),
                           what=_("For case %(reference)s.", reference=case.reference))  # fmt: skip


@bp.post("/<reference>/<action>")
@case_staff
def act(reference: str, action: str):
    """status, assign, move, note or message: one form each, back to the case page."""
    session = get_session()
    case = workflow.load_case(session, current_user, reference, for_update=True, with_timeline=True)
    if action not in ACTIONS or case is None:
        abort(404)
    form = posted_form(action, case, workflow.assignable_staff(session, case.department),
                       services.department_names())  # fmt: skip
    if form.validate_on_submit():
        try:
            message, stays = _apply(action, session, case, form)
        except workflow.WorkflowError as error:
            next(iter(_fields(form))).errors.append(WORKFLOW_PROBLEMS[error.code])
        else:
            flash(message)
            return redirect(
                url_for(".show", reference=case.reference) if stays else url_for(".queue")
            )
    return _case_page(services.show_again(session, _actor(), case), {action: form}), 400


def _fields(form):
    return (field for field in form if field.name != "csrf_token")


def _apply(action: str, session, case, form) -> tuple[str, bool]:
    """(what the page says, whether the person can still see the case)."""
    if action == "move":
        return services.move(session, _actor(), case, form.department.data)
    change = {
        "status": lambda: services.change_status(session, _actor(), case, form.status.data),
        "assign": lambda: services.assign(session, _actor(), case, form.assignee.data),
        "note": lambda: services.add_note(session, _actor(), case, form.note.data),
        "message": lambda: services.send_message(session, _actor(), case, form.message.data),
    }[action]
    return change(), True
