"""Writing to and reading the audit log. Entries are added in the same transaction as the action
they record, and never changed or deleted by the application (only the retention purge below)."""

from dataclasses import dataclass
from datetime import UTC, date, timedelta

from flask import has_request_context, request
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEntry
from portal.profile import clock

ACTIONS = (
    "login_succeeded", "login_failed", "login_locked", "logout", "session_expired",
    "password_changed", "totp_enrolled", "recovery_code_used", "recovery_codes_renewed",
    "case_viewed", "cases_exported", "case_status_changed", "case_assigned", "case_moved",
    "case_note_added", "case_message_sent",
    "staff_created", "staff_changed", "staff_deactivated", "staff_reactivated",
    "staff_password_reset", "staff_totp_reset",
    "day_list_viewed", "booking_checked_in", "booking_no_show", "booking_attendance_cleared",
    "closure_added", "closure_removed", "closure_viewed", "routing_changed", "message_retried", "messages_viewed", "closure_bookings_cancelled", "audit_log_viewed",
    "link_requested", "link_sent_by_staff", "public_messages_paused",
)  # fmt: skip


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an audit entry."""


def record(
    session: Session,
    action: str,
    *,
    actor=None,
    target_type: str | None = None,
    target_id: str | int | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Add an entry (the caller commits it with the change it describes)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=clock.now(),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or None,
        ip=request.remote_addr if has_request_context() else None,
    )
    session.add(entry)
    return entry


def recorded_since(session: Session, action: str, since) -> bool:
    """Whether an entry of this action was written since then."""
    query = select(AuditEntry.id).where(AuditEntry.action == action, AuditEntry.at >= since)
    return session.scalar(query.limit(1)) is not None


@dataclass
class AuditFilter:
    actor: str = ""  # part of an email address
    action: str = ""
    target: str = ""  # a case reference, booking reference or account id
    first_day: date | None = None
    last_day: date | None = None


def entries(session: Session, wanted: AuditFilter, *, limit: int, offset: int):
    """(entries newest first, total) matching the filter."""
    query = select(AuditEntry)
    if wanted.actor:
        query = query.where(
            func.lower(AuditEntry.actor_email).contains(wanted.actor.lower(), autoescape=True)
        )
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.target:
        target = wanted.target.strip()
        query = query.where(AuditEntry.target_id.in_({target, target.upper()}))
    # Office days, compared in UTC: SQLite keeps no time zone, and stores UTC.
    if wanted.first_day:
        query = query.where(AuditEntry.at >= clock.local_midnight(wanted.first_day).astimezone(UTC))
    if wanted.last_day:
        end = clock.local_midnight(wanted.last_day + timedelta(days=1)).astimezone(UTC)
        query = query.where(AuditEntry.at < end)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return rows, total


@event.listens_for(Session, "before_flush")
def _guard_append_only(session, flush_context, instances):
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEntry) and (
            instance in session.deleted or session.is_modified(instance)
        ):
            raise AppendOnlyError("audit entries are never changed or deleted")


def count_old_entries(session: Session, now, days: int) -> int:
    query = select(func.count()).select_from(AuditEntry)
    return session.scalar(query.where(AuditEntry.at < now - timedelta(days=days)))


def delete_old_entries(session: Session, now, days: int) -> int:
    """The only deletion of audit entries (retention; the caller commits): a bulk statement, past
    the ORM guard that refuses any change or deletion of an entry."""
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=days)))
    return result.rowcount
