"""How long a closed case keeps its personal data: it is anonymised some days after it closed.
The envelope stays for statistics (reference, type, status, department, dates)."""

from datetime import datetime, timedelta

from sqlalchemy import delete, false, func, select, update
from sqlalchemy.orm import Session

from portal.cases import submissions
from portal.cases.models import Case, CaseEvent
from portal.links.models import RetiredLink, ShortLink
from portal.links.tokens import new_token, token_hash
from portal.notify.models import OutboxMessage

CLOSED = ("completed", "rejected", "withdrawn")


def _holds_submission():
    condition = false()
    for model in submissions.models():
        condition = condition | Case.id.in_(select(model.case_id))
    return condition


def closed_cases_due(session: Session, now: datetime, days: int) -> list[int]:
    """Closed cases not yet anonymised whose last status change is older than `days`."""
    last_change = (
        select(CaseEvent.case_id, func.max(CaseEvent.created_at).label("at"))
        .where(CaseEvent.kind == "status_changed")
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    query = (
        select(Case.id)
        .join(last_change, last_change.c.case_id == Case.id)
        .where(Case.status.in_(CLOSED), Case.applicant_name.is_not(None) | _holds_submission())
        .where(last_change.c.at < now - timedelta(days=days))
    )
    return list(session.scalars(query))


def anonymise_cases(session: Session, case_ids: list[int]) -> int:
    """Remove the answers, the texts of messages and notes, names, links and messages about the
    case (the caller commits). The status link stops working: its hash is replaced by one nobody
    has the token of."""
    if not case_ids:
        return 0
    for model in submissions.models():
        session.execute(delete(model).where(model.case_id.in_(case_ids)))
    session.execute(delete(ShortLink).where(ShortLink.case_id.in_(case_ids)))
    session.execute(delete(RetiredLink).where(RetiredLink.case_id.in_(case_ids)))
    session.execute(delete(OutboxMessage).where(OutboxMessage.case_id.in_(case_ids)))
    session.execute(update(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).values(details=None))
    for case_id in case_ids:
        session.execute(
            update(Case).where(Case.id == case_id)
            .values(applicant_name=None, interpreter_language=None, status_token_hash=token_hash(new_token()))
        )  # fmt: skip
    return len(case_ids)
