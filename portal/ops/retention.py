"""Retention of cases and the audit log (`portal purge`): closed cases are anonymised some days
after they closed, audit entries deleted after their own period. `plan` only counts (dry run)."""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.audit.models import AuditEntry
from portal.cases.models import Case, CaseEvent
from portal.links.models import RetiredLink, ShortLink
from portal.links.tokens import new_token, token_hash
from portal.notify.models import OutboxMessage
from portal.registration.models import Registration

CLOSED = ("completed", "rejected", "withdrawn")


def closed_cases_due(session: Session, now: datetime, days: int) -> list[int]:
    """Closed, not yet anonymised cases whose last status change is older than `days`."""
    last_change = (
        select(CaseEvent.case_id, func.max(CaseEvent.created_at).label("at"))
        .where(CaseEvent.kind == "status_changed")
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    query = (
        select(Case.id)
        .join(last_change, last_change.c.case_id == Case.id)
        .where(
            Case.status.in_(CLOSED),
            Case.applicant_name.is_not(None) | Case.id.in_(select(Registration.case_id)),
        )
        .where(last_change.c.at < now - timedelta(days=days))
    )
    return list(session.scalars(query))


def anonymise_cases(session: Session, case_ids: list[int]) -> None:
    """Keep the envelope (reference, type, status, department, dates: statistics); remove the
    answers, the texts of messages and notes, names, links and messages about the case. The
    status link stops working (its hash is replaced by one nobody has the token of)."""
    if not case_ids:
        return
    session.execute(delete(Registration).where(Registration.case_id.in_(case_ids)))
    session.execute(delete(ShortLink).where(ShortLink.case_id.in_(case_ids)))
    session.execute(delete(RetiredLink).where(RetiredLink.case_id.in_(case_ids)))
    session.execute(delete(OutboxMessage).where(OutboxMessage.case_id.in_(case_ids)))
    session.execute(update(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).values(details=None))
    for case_id in case_ids:
        session.execute(
            update(Case).where(Case.id == case_id)
            .values(applicant_name=None, interpreter_language=None, status_token_hash=token_hash(new_token()))
        )  # fmt: skip


def old_audit_entries(session: Session, now: datetime, days: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.at < now - timedelta(days=days))
    )


def delete_old_audit_entries(session: Session, now: datetime, days: int) -> int:
    """The only deletion of audit entries: a bulk statement, past the ORM guard that refuses any
    change or deletion of an entry."""
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=days)))
    return result.rowcount
