"""What staff do with cases, each as one transaction: the change (through the state machine in
cases/workflow.py), its audit entry and the commit, returning what the page says. Views parse
forms and render; they never commit or audit. Every case is loaded through what the person may
see (workflow.visibility), so another department's case is simply not found."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal import audit
from portal.cases import messages, services, submissions, workflow
from portal.cases.models import Case
from portal.cases.staff.labels import STATUS_NAMES
from portal.cases.staff.queue import QueueFilter, export_rows, is_overdue
from portal.notify import outbox
from portal.profile import clock
from portal.staff.models import StaffAccount


def department_names() -> dict[str, str]:
    return {d.key: d.name for d in current_app.extensions["profile"].departments}


def _record(session: Session, action: str, actor, case: Case, details=None) -> None:
    audit.record(session, action, actor=actor, target_type="case", target_id=case.reference,
                 details=details)  # fmt: skip


@dataclass
class CasePage:
    """Everything the case page shows, loaded here (the template queries nothing)."""

    case: Case
    sections: list
    messages: list
    overdue: bool
    assignable: list[StaffAccount]


def open_case_page(session: Session, actor: StaffAccount, reference: str) -> CasePage | None:
    """The case, its timeline with authors and assignee loaded; seen by this person (a new
    answer is no longer new), audited, committed."""
    case = workflow.load_case(session, actor, reference, with_timeline=True)
    if case is None:
        return None
    case.unread_answer = False
    record_view(session, actor, case)
    session.commit()
    return case_page(session, case)


def record_view(session: Session, actor: StaffAccount, case: Case) -> None:
    _record(session, "case_viewed", actor, case)


def show_again(session: Session, actor: StaffAccount, case: Case) -> "CasePage":
    """The case page once more, after a form with mistakes: a view like any other."""
    session.rollback()  # nothing of the refused change stays
    case = workflow.load_case(session, actor, case.reference, with_timeline=True)
    record_view(session, actor, case)
    session.commit()
    return case_page(session, case)


def case_page(session: Session, case: Case) -> CasePage:
    return CasePage(
        case=case,
        sections=submissions.sections(session, case),
        messages=outbox.messages_for(session, case_id=case.id),
        overdue=is_overdue(case, clock.today()),
        assignable=workflow.assignable_staff(session, case.department),
    )


def change_status(session: Session, actor: StaffAccount, case: Case, status: str) -> str:
    old = case.status
    workflow.change_status(case, status, actor)
    _record(session, "case_status_changed", actor, case, {"from": old, "to": case.status})
    session.commit()
    return _("The status is now “%(status)s”.", status=STATUS_NAMES[case.status])


def assign(session: Session, actor: StaffAccount, case: Case, assignee_id: str) -> str:
    people = workflow.assignable_staff(session, case.department)
    assignee = next((a for a in people if str(a.id) == assignee_id), None)
    workflow.assign(case, assignee, actor)
    _record(session, "case_assigned", actor, case,
            {"assignee": assignee.email if assignee else None})  # fmt: skip
    session.commit()
    if assignee is None:
        return _("Nobody is assigned to the case now.")
    return _("The case is assigned to %(name)s.", name=assignee.name)


def move(session: Session, actor: StaffAccount, case: Case, department: str) -> tuple[str, bool]:
    """(what the page says, whether the person can still see the case)."""
    names = department_names()
    old = case.department
    workflow.move(case, department, list(names), actor)
    _record(session, "case_moved", actor, case, {"from": old, "to": case.department})
    session.commit()
    visible = workflow.load_case(session, actor, case.reference) is not None
    return _("The case was moved to %(department)s.", department=names[case.department]), visible


def add_note(session: Session, actor: StaffAccount, case: Case, text: str) -> str:
    workflow.add_note(case, text, actor)
    _record(session, "case_note_added", actor, case)
    session.commit()
    return _("The note was saved.")


def send_message(session: Session, actor: StaffAccount, case: Case, text: str) -> str:
    """A message on the applicant's status page, and "we wrote to you" (never the message
    itself, which may hold anything) to the contacts they gave."""
    event = workflow.send_message(case, text, actor)
    session.flush()
    messages.caseworker_wrote(session, case, submissions.contacts(session, case), event.id)
    _record(session, "case_message_sent", actor, case)
    session.commit()
    return _("The message was sent. The applicant sees it on their status page.")


def send_new_link(session: Session, actor: StaffAccount, case: Case) -> list[tuple[str, str]]:
    """A new status link (to someone who phoned) to the contacts the applicant gave; the old
    link stops working. Returns where it went."""
    sent_to = submissions.contacts(session, case)
    if sent_to:
        renewal = services.new_status_link(session, case)
        messages.status_link(session, case, sent_to, event=f"staff:{renewal}", public=False)
    _record(session, "link_sent_by_staff", actor, case, {"channels": [c for c, _ in sent_to]})
    session.commit()
    return sent_to


def bulk_change(
    session: Session, actor: StaffAccount, ids: list[int], action: str, value: str, people
) -> tuple[list[str], list[str]]:
    """Assign (value: an account id of `people`, or "none") or change the status (value: a
    status) of many cases; returns (changed, refused) references. Cases the person may not see
    are not loaded at all."""
    done, refused = [], []
    cases = workflow.load_cases(session, actor, ids)
    people = {str(a.id): a for a in people}
    if (action == "assign" and value not in (*people, "none")) or (
        action == "status" and value not in workflow.TRANSITIONS
    ):
        return [], [case.reference for case in cases]
    for case in cases:
        try:
            if action == "assign":
                assignee = people.get(value)
                workflow.assign(case, assignee, actor)
                details = {"assignee": assignee.email if assignee else None, "bulk": True}
                name = "case_assigned"
            else:
                old = case.status
                workflow.change_status(case, value, actor)
                details, name = (
                    {"from": old, "to": case.status, "bulk": True},
                    "case_status_changed",
                )
        except workflow.WorkflowError:
            refused.append(case.reference)
            continue
        _record(session, name, actor, case, details)
        done.append(case.reference)
    session.commit()
    return done, refused


def export(session: Session, actor: StaffAccount, wanted: QueueFilter) -> list[Case]:
    """The filtered queue for a CSV file, written to the audit log with its filters (never the
    name searched for)."""
    cases = export_rows(session, actor, wanted)
    audit.record(session, "cases_exported", actor=actor,
                 details={"filters": wanted.audit_args(), "count": len(cases)})  # fmt: skip
    session.commit()
    return cases
