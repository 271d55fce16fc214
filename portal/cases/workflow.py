"""What staff may do with a case: who may see it, status changes through a small state machine,
assignment, moving between departments, internal notes and messages with the applicant.

Scoping is part of the query that loads cases (`visible_cases`), so a view that forgets a check
still cannot load a case outside the person's departments: it gets nothing, and answers 404."""

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session, object_session, selectinload

from portal.cases.models import Case, CaseEvent
from portal.profile import clock
from portal.staff.models import StaffAccount

# Status codes: received → in_review → waiting_for_applicant → completed / rejected / withdrawn.
TRANSITIONS = {
    "received": ("in_review", "rejected", "withdrawn"),
    "in_review": ("waiting_for_applicant", "completed", "rejected", "withdrawn"),
    "waiting_for_applicant": ("in_review", "completed", "rejected", "withdrawn"),
    "completed": (),
    "rejected": (),
    "withdrawn": (),
}
MESSAGE_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 5000


class WorkflowError(ValueError):
    """The change is not allowed (`code` says why, for a translated message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def can_see_cases(account: StaffAccount) -> bool:
    return account.role in ("admin", "caseworker")


def visibility(account: StaffAccount, department=Case.department) -> ColumnElement[bool]:
    """The condition on cases this member of staff may see: all for an admin, their departments'
    for a caseworker, none for reception (the day list is theirs, not case contents).
    `department` may be the column wrapped for the query planner (see staff.queue)."""
    if account.role == "admin":
        return true()
    if account.role == "caseworker" and account.departments:
        return department.in_(account.departments)
    return false()


def visible_cases(account: StaffAccount) -> Select:
    return select(Case).where(visibility(account))


def load_case(
    session: Session,
    account: StaffAccount,
    reference: str,
    *,
    for_update: bool = False,
    with_timeline: bool = False,
) -> Case | None:
    """A case the person may see; `for_update` locks its row on PostgreSQL until the commit, so
    two changes (or a change and the applicant's answer) are decided one after the other
    (SQLite serialises every POST already). `with_timeline` loads what the case page shows:
    the events with their authors, and the assignee."""
    query = visible_cases(account).where(Case.reference == reference.upper())
    if with_timeline:
        query = query.options(
            selectinload(Case.events).selectinload(CaseEvent.author), selectinload(Case.assignee)
        )
    return session.scalars(query.with_for_update() if for_update else query).first()


def load_cases(session: Session, account: StaffAccount, ids: list[int]) -> list[Case]:
    """Cases for a bulk change, locked in id order (no deadlock between two bulk changes)."""
    query = visible_cases(account).where(Case.id.in_(ids)).order_by(Case.id).with_for_update()
    return list(session.scalars(query))


def allowed_statuses(case: Case) -> tuple[str, ...]:
    return TRANSITIONS[case.status]


def _event(case: Case, kind: str, actor, *, status=None, visible=False, details=None) -> CaseEvent:
    """A new line of the timeline. It joins case.events only where they are loaded (the case
    page's); otherwise it is added to the case's session without loading them."""
    event = CaseEvent(
        case=case, kind=kind, status=status, visible_to_applicant=visible, details=details,
        author_id=getattr(actor, "id", None), created_at=clock.now(),
    )  # fmt: skip
    session = object_session(case)
    if session is not None:
        session.add(event)
    return event


def change_status(case: Case, new_status: str, actor: StaffAccount) -> None:
    """Move the case along the state machine; anything else is refused."""
    if new_status not in TRANSITIONS.get(case.status, ()):
        raise WorkflowError("transition")
    old = case.status
    case.status = new_status
    _event(case, "status_changed", actor, status=new_status, visible=True, details={"from": old})


def assignable_staff(session: Session, case_department: str) -> list[StaffAccount]:
    """Who can take a case of this department: its caseworkers and the administrators."""
    accounts = session.scalars(
        select(StaffAccount)
        .where(StaffAccount.active.is_(True), StaffAccount.role.in_(("admin", "caseworker")))
        .order_by(StaffAccount.name)
    )
    return [a for a in accounts if a.role == "admin" or case_department in a.departments]


def assign(case: Case, assignee: StaffAccount | None, actor: StaffAccount) -> None:
    """Give the case to someone who may see it (or to nobody)."""
    may_see = assignee is None or (
        assignee.active
        and (assignee.role == "admin"
             or (assignee.role == "caseworker" and case.department in assignee.departments))
    )  # fmt: skip
    if not may_see:
        raise WorkflowError("assignee")
    if case.assignee_id == getattr(assignee, "id", None):
        return
    case.assignee_id = getattr(assignee, "id", None)
    _event(case, "assigned", actor, details={"assignee": getattr(assignee, "name", None)})


def move(case: Case, department: str, known_departments: list[str], actor: StaffAccount) -> None:
    """To another department; the assignment ends (the new department picks it up)."""
    if department not in known_departments:
        raise WorkflowError("department")
    if department == case.department:
        return
    old = case.department
    case.department = department
    case.assignee_id = None
    _event(case, "moved", actor, details={"from": old, "to": department})


def _clean_text(text: str, limit: int) -> str:
    text = (text or "").strip().replace("\r\n", "\n")
    if not text:
        raise WorkflowError("empty")
    if len(text) > limit:
        raise WorkflowError("too_long")
    return text


def add_note(case: Case, text: str, actor: StaffAccount) -> None:
    """An internal note: never shown to the applicant."""
    _event(case, "note", actor, details={"text": _clean_text(text, NOTE_MAX_LENGTH)})


def send_message(case: Case, text: str, actor: StaffAccount) -> CaseEvent:
    """A message the applicant reads on their status page, as written."""
    if case.status in ("completed", "rejected", "withdrawn"):
        raise WorkflowError("closed")
    return _event(
        case, "message_to_applicant", actor, visible=True,
        details={"text": _clean_text(text, MESSAGE_MAX_LENGTH)},
    )  # fmt: skip


def applicant_answer(case: Case, text: str) -> None:
    """The applicant's answer from the status page. If the case was waiting for them, it goes
    back to the caseworker."""
    if case.status in ("completed", "rejected", "withdrawn"):
        raise WorkflowError("closed")
    _event(
        case,
        "applicant_message",
        None,
        visible=True,
        details={"text": _clean_text(text, MESSAGE_MAX_LENGTH)},
    )
    case.unread_answer = True
    if case.status == "waiting_for_applicant":
        case.status = "in_review"
        _event(
            case,
            "status_changed",
            None,
            status="in_review",
            visible=True,
            details={"from": "waiting_for_applicant"},
        )


def can_answer(case: Case) -> bool:
    return case.status not in ("completed", "rejected", "withdrawn")
