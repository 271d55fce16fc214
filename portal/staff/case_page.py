"""The case page: what it shows, and the forms that change a case (each writes the audit log)."""

from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit, clock, i18n
from portal.cases import messages as case_messages
from portal.cases import workflow
from portal.cases.labels import CASE_TYPE_LABELS
from portal.form_fields import select_choices
from portal.notify import outbox
from portal.registration import messages as registration_messages
from portal.registration import services as registration_services
from portal.registration.models import Registration
from portal.registration.summary import submitted_sections
from portal.staff import case_choices
from portal.staff.case_forms import AssignForm, MessageForm, MoveForm, NoteForm, StatusForm
from portal.staff.labels import STATUS_ACTIONS, STATUS_LABELS, WORKFLOW_PROBLEMS
from portal.staff.models import StaffAccount
from portal.staff.queue import is_overdue


def _forms_for(case, session: Session) -> dict:
    status = StatusForm(formdata=None)
    status.status.choices = [
        (code, STATUS_ACTIONS[code]) for code in workflow.allowed_statuses(case)
    ]
    assign = AssignForm(formdata=None, data={"assignee": str(case.assignee_id or "")})
    assign.assignee.choices = [("", _("Nobody"))] + [
        (str(a.id), a.name) for a in workflow.assignable_staff(session, case.department)
    ]
    names = case_choices.department_names()
    move = MoveForm(formdata=None, data={"department": case.department})
    move.department.choices = list(names.items())
    select_choices(status, assign, move)
    return {"status_form": status, "assign_form": assign, "move_form": move,
            "note_form": NoteForm(formdata=None), "message_form": MessageForm(formdata=None)}  # fmt: skip


def render(case, **posted_forms):
    """The case page; a form that was just posted with mistakes replaces its empty twin."""
    from portal.db import get_session

    session = get_session()
    registration = session.scalars(
        select(Registration).where(Registration.case_id == case.id)
    ).first()
    forms = {**_forms_for(case, session), **posted_forms}
    return render_template(
        "staff/cases/case.html", case=case, registration=registration,
        sections=submitted_sections(registration.answers) if registration else [],
        messages=outbox.messages_for(session, case_id=case.id),
        locale=i18n.get_locale_by_code(case.locale), today=clock.today(),
        type_labels=CASE_TYPE_LABELS, status_labels=STATUS_LABELS,
        overdue=is_overdue(case, clock.today()),
        **forms,
    )  # fmt: skip


@dataclass
class Outcome:
    message: str = ""
    problem_form: object = None
    form_name: str = ""
    redirect_to_queue: bool = False


def _problem(form, field, code_or_none, name) -> Outcome:
    if code_or_none:
        field.errors = [*field.errors, WORKFLOW_PROBLEMS[code_or_none]]
    return Outcome(problem_form=form, form_name=name)


def _change_status(session: Session, case, actor: StaffAccount) -> Outcome:
    form = StatusForm()
    form.status.choices = [(code, STATUS_ACTIONS[code]) for code in workflow.allowed_statuses(case)]
    select_choices(form)
    if not form.validate_on_submit():
        return _problem(form, form.status, None, "status_form")
    old = case.status
    workflow.change_status(case, form.status.data, actor)
    audit.record(session, "case_status_changed", actor=actor, target_type="case", target_id=case.reference,
                 details={"from": old, "to": case.status})  # fmt: skip
    session.commit()
    return Outcome(_("The status is now “%(status)s”.", status=STATUS_LABELS[case.status]))


def _assign(session: Session, case, actor: StaffAccount) -> Outcome:
    form = AssignForm()
    people = workflow.assignable_staff(session, case.department)
    form.assignee.choices = [("", _("Nobody"))] + [(str(a.id), a.name) for a in people]
    select_choices(form)
    if not form.validate_on_submit():
        return _problem(form, form.assignee, None, "assign_form")
    assignee = next((a for a in people if str(a.id) == form.assignee.data), None)
    workflow.assign(case, assignee, actor)
    audit.record(session, "case_assigned", actor=actor, target_type="case", target_id=case.reference,
                 details={"assignee": assignee.email if assignee else None})  # fmt: skip
    session.commit()
    if assignee is None:
        return Outcome(_("Nobody is assigned to the case now."))
    return Outcome(_("The case is assigned to %(name)s.", name=assignee.name))


def _move(session: Session, case, actor: StaffAccount) -> Outcome:
    form = MoveForm()
    names = case_choices.department_names()
    form.department.choices = list(names.items())
    select_choices(form)
    if not form.validate_on_submit():
        return _problem(form, form.department, None, "move_form")
    old = case.department
    workflow.move(case, form.department.data, list(names), actor)
    audit.record(session, "case_moved", actor=actor, target_type="case", target_id=case.reference,
                 details={"from": old, "to": case.department})  # fmt: skip
    session.commit()
    visible = workflow.load_case(session, actor, case.reference) is not None
    message = _("The case was moved to %(department)s.", department=names[case.department])
    return Outcome(message, redirect_to_queue=not visible)


def _note(session: Session, case, actor: StaffAccount) -> Outcome:
    form = NoteForm()
    if not form.validate_on_submit():
        return _problem(form, form.note, None, "note_form")
    workflow.add_note(case, form.note.data, actor)
    audit.record(
        session, "case_note_added", actor=actor, target_type="case", target_id=case.reference
    )
    session.commit()
    return Outcome(_("The note was saved."))


def _message(session: Session, case, actor: StaffAccount) -> Outcome:
    form = MessageForm()
    if not form.validate_on_submit():
        return _problem(form, form.message, None, "message_form")
    try:
        workflow.send_message(case, form.message.data, actor)
    except workflow.WorkflowError as error:
        return _problem(form, form.message, error.code, "message_form")
    session.flush()
    registration = session.scalars(
        select(Registration).where(Registration.case_id == case.id)
    ).first()
    case_messages.caseworker_wrote(
        session, case, registration_messages.contacts(registration.answers if registration else {}),
        case.events[-1].id,
    )  # fmt: skip
    audit.record(
        session, "case_message_sent", actor=actor, target_type="case", target_id=case.reference
    )
    session.commit()
    return Outcome(_("The message was sent. The applicant sees it on their status page."))


ACTIONS = {
    "status": _change_status,
    "assign": _assign,
    "move": _move,
    "note": _note,
    "message": _message,
}


def apply_bulk(
    session: Session, actor: StaffAccount, ids: list[int], form
) -> tuple[list[str], list[str]]:
    """Assign or change the status of many cases; returns (changed, refused) references. Cases
    the person may not see are not loaded at all."""
    done, refused = [], []
    people = {str(a.id): a for a in case_choices.case_staff_accounts(session, actor)}
    cases = workflow.load_cases(session, actor, ids)
    if (form.action.data == "assign" and form.assignee.data not in (*people, "none")) or (
        form.action.data == "status" and form.status.data not in workflow.TRANSITIONS
    ):
        return [], [case.reference for case in cases]
    for case in cases:
        try:
            if form.action.data == "assign":
                assignee = people.get(form.assignee.data)
                workflow.assign(case, assignee, actor)
                details = {"assignee": assignee.email if assignee else None, "bulk": True}
                action = "case_assigned"
            else:
                old = case.status
                workflow.change_status(case, form.status.data, actor)
                details, action = (
                    {"from": old, "to": case.status, "bulk": True},
                    "case_status_changed",
                )
        except workflow.WorkflowError:
            refused.append(case.reference)
            continue
        audit.record(
            session,
            action,
            actor=actor,
            target_type="case",
            target_id=case.reference,
            details=details,
        )
        done.append(case.reference)
    session.commit()
    return done, refused


def send_new_link(session: Session, case, actor) -> list[tuple[str, str]]:
    """A caseworker sends a new status link (to someone who phoned): to the phone and e-mail the
    applicant gave; the old link stops working. Audited; returns where it went."""
    sent_to = registration_services.send_status_link_for_staff(session, case)
    audit.record(session, "link_sent_by_staff", actor=actor, target_type="case",
                 target_id=case.reference, details={"channels": [c for c, _ in sent_to]})  # fmt: skip
    session.commit()
    return sent_to
