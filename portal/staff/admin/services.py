"""Rules of the administration pages: managing staff accounts, and reading the audit log.

Every change is audited in the transaction that makes it, and committed here. Temporary passwords
are returned to be shown once; they are never stored in clear or written to the log."""

import math
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.audit.models import AuditEntry
from portal.profile import Profile
from portal.security import hash_password
from portal.staff import passwords, services
from portal.staff.models import StaffAccount
from portal.staff.services import StaffAccountError

AUDIT_PAGE_SIZE = 50

# i18n: names of entries in the audit log, shown to administrators
ACTION_LABELS = {
    "login_succeeded": _l("Logged in"),
    "login_failed": _l("Login failed"),
    "login_locked": _l("Account locked after failed logins"),
    "logout": _l("Logged out"),
    "session_expired": _l("Session expired"),
    "password_changed": _l("Changed own password"),
    "totp_enrolled": _l("Set up authenticator app"),
    "recovery_code_used": _l("Used a recovery code"),
    "recovery_codes_renewed": _l("Made new recovery codes"),
    "case_viewed": _l("Viewed a case"),
    "cases_exported": _l("Exported cases"),
    "case_status_changed": _l("Changed the status of a case"),
    "case_assigned": _l("Assigned a case"),
    "case_moved": _l("Moved a case to another department"),
    "case_note_added": _l("Added an internal note"),
    "case_message_sent": _l("Sent a message to an applicant"),
    "staff_created": _l("Created a staff account"),
    "staff_changed": _l("Changed a staff account"),
    "staff_deactivated": _l("Deactivated a staff account"),
    "staff_reactivated": _l("Reactivated a staff account"),
    "staff_password_reset": _l("Reset a staff member's password"),
    "staff_totp_reset": _l("Reset a staff member's authenticator app"),
    "day_list_viewed": _l("Viewed the day list"),
    "booking_checked_in": _l("Checked in a booking"),
    "booking_no_show": _l("Marked a booking as no-show"),
    "booking_attendance_cleared": _l("Cleared the attendance of a booking"),
    "closure_added": _l("Added a closure"),
    "closure_removed": _l("Removed a closure"),
    "closure_viewed": _l("Viewed the bookings hit by a closure"),
    "routing_changed": _l("Changed where a type of case goes"),
    "message_retried": _l("Sent a failed message again"),
    "messages_viewed": _l("Viewed the messages by SMS and e-mail"),
    "closure_bookings_cancelled": _l("Cancelled the bookings on closed days and told the people"),
    "audit_log_viewed": _l("Viewed the audit log"),
    "link_requested": _l("Someone asked for a private link again"),
    "link_sent_by_staff": _l("Sent a new private link"),
    "public_messages_paused": _l("Messages the public asks for were paused (hourly limit)"),
}

# i18n: what an audit entry is about, shown before its reference or number
TARGET_TYPE_LABELS = {
    "staff": _l("Staff account"),
    "case": _l("Case"),
    "booking": _l("Booking"),
    "closure": _l("Closure"),
    "reference": _l("Reference"),
}


# --- accounts -----------------------------------------------------------------------------------
def temporary_password(email: str, name: str) -> str:
    """A random password that passes the password policy (the person replaces it at login)."""
    while True:
        password = secrets.token_urlsafe(12)
        if passwords.problem(password, email=email, name=name) is None:
            return password


def list_accounts(session: Session) -> list[StaffAccount]:
    """Active accounts first, then by name."""
    return list(
        session.scalars(
            select(StaffAccount).order_by(
                StaffAccount.active.desc(), func.lower(StaffAccount.name), StaffAccount.id
            )
        )
    )


def load_account(session: Session, account_id: int) -> StaffAccount | None:
    return session.get(StaffAccount, account_id)


def _record(session: Session, action: str, actor, account: StaffAccount, details=None) -> None:
    audit.record(
        session, action, actor=actor, target_type="staff", target_id=account.id, details=details
    )


def create_account(
    session: Session, profile: Profile, actor, *, email: str, name: str, role: str, departments
) -> tuple[StaffAccount, str]:
    """A new account with a temporary password, which is returned to be shown once. An existing
    email is refused (code "exists"): create_or_update_account would reset that account."""
    if services.find_account(session, email) is not None:
        raise StaffAccountError("an account with this email exists", "exists")
    password = temporary_password(services.normalise_email(email), name)
    account = services.create_or_update_account(
        session,
        profile,
        email=email,
        name=name,
        role=role,
        departments=list(departments),
        password=password,
        must_change_password=True,
    )
    try:
        session.flush()
    except IntegrityError as error:  # the same email created at the same moment elsewhere
        session.rollback()
        raise StaffAccountError("an account with this email exists", "exists") from error
    _record(
        session,
        "staff_created",
        actor,
        account,
        {"role": account.role, "departments": account.departments},
    )
    session.commit()
    return account, password


def set_up_from_command_line(
    session: Session, profile: Profile, *, email: str, name: str, role: str, departments, password
) -> StaffAccount:
    """`portal staff create`: a new account, or an existing one reset to this password and role
    (how the first administrator is made, and how a locked-out one gets back in)."""
    account = services.create_or_update_account(
        session, profile, email=email, name=name, role=role,
        departments=list(departments), password=password,
    )  # fmt: skip
    session.flush()
    _record(session, "staff_created", None, account,
            {"role": role, "departments": list(departments), "by": "command line"})  # fmt: skip
    session.commit()
    return account


def change_account(
    session: Session, profile: Profile, actor, account: StaffAccount, *, name, role, departments
) -> bool:
    """Change name, role and departments; False when nothing changed. An administrator cannot
    take away their own admin role (code "own_role"), so an administrator always remains."""
    departments = services.check_departments(profile, role, list(departments))
    if account.id == actor.id and account.role == "admin" and role != "admin":
        raise StaffAccountError("you cannot remove your own admin role", "own_role")
    name = name.strip()
    changes = {}
    for key, old, new in (
        ("name", account.name, name),
        ("role", account.role, role),
        ("departments", account.departments, departments),
    ):
        if old != new:
            changes[key] = {"old": old, "new": new}
    if not changes:
        return False
    account.name = name
    account.role = role
    services.set_departments(account, departments)
    _record(session, "staff_changed", actor, account, changes)
    session.commit()
    return True


def set_active(session: Session, actor, account: StaffAccount, active: bool) -> bool:
    """Deactivate (every session of the account ends at once) or reactivate; False when it
    already was so. Nobody deactivates their own account (code "own_account")."""
    if not active and account.id == actor.id:
        raise StaffAccountError("you cannot deactivate your own account", "own_account")
    if account.active == active:
        return False
    account.active = active
    if not active:
        services.end_sessions(account)
    _record(session, "staff_reactivated" if active else "staff_deactivated", actor, account)
    session.commit()
    return True


def reset_password(session: Session, actor, account: StaffAccount) -> str:
    """A new temporary password (returned to be shown once); the person must replace it at the
    next login, and their sessions end. Also lifts a lockout. Not for one's own account (code
    "own_password"): that is changed on one's account page."""
    if account.id == actor.id:
        raise StaffAccountError("change your own password on your account page", "own_password")
    password = temporary_password(account.email, account.name)
    account.password_hash = hash_password(password)
    account.must_change_password = True
    account.failed_logins = 0
    account.locked_until = None
    services.end_sessions(account)
    _record(session, "staff_password_reset", actor, account)
    session.commit()
    return password


def reset_authenticator(session: Session, actor, account: StaffAccount) -> None:
    """For a lost phone: the app and recovery codes are forgotten, the person sets up the app
    again at the next login, and their sessions end."""
    services.reset_second_factor(session, account)
    _record(session, "staff_totp_reset", actor, account)
    session.commit()


# --- audit log ----------------------------------------------------------------------------------
@dataclass
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int


def _filter_details(wanted: audit.AuditFilter, page: int) -> dict:
    details = {
        "actor": wanted.actor,
        "action": wanted.action,
        "target": wanted.target,
        "first_day": wanted.first_day.isoformat() if wanted.first_day else "",
        "last_day": wanted.last_day.isoformat() if wanted.last_day else "",
    }
    return {key: value for key, value in details.items() if value} | {"page": page}


def audit_page(session: Session, actor, wanted: audit.AuditFilter, page: int) -> AuditPage:
    """One page of entries, newest first (a page past the end shows the last one). The viewing
    itself is audited, with the filters."""
    page = max(page, 1)
    rows, total = audit.entries(
        session, wanted, limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE
    )
    pages = max(1, math.ceil(total / AUDIT_PAGE_SIZE))
    if page > pages:
        page = pages
        rows, total = audit.entries(
            session, wanted, limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE
        )
    audit.record(session, "audit_log_viewed", actor=actor, details=_filter_details(wanted, page))
    session.commit()
    return AuditPage(list(rows), total, page, pages)


def _value_text(value) -> str:
    if isinstance(value, dict) and set(value) == {"old", "new"}:
        return f"{_value_text(value['old'])} → {_value_text(value['new'])}"
    if isinstance(value, dict):
        return ", ".join(f"{key}={_value_text(inner)}" for key, inner in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value) or "–"
    return "–" if value is None or value == "" else str(value)


def details_text(details: dict | None) -> str:
    """An entry's details as short plain text ("role: caseworker → admin; departments: …");
    the template escapes it."""
    if not details:
        return ""
    return "; ".join(f"{key}: {_value_text(value)}" for key, value in details.items())
