"""Signing in, one step at a time (password, then a code from the authenticator app or a
recovery code), enrolling the app, logging out and changing one's password: each step is one
transaction with its audit entries and returns what happened; the views only show it."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from portal import audit
from portal.forms.validation import ascii_number
from portal.security import verify_password
from portal.staff import services
from portal.staff.models import StaffAccount


@dataclass
class Step:
    """What a step of signing in came to: "refused", "code" (the second factor is next),
    "enrol" (the app must be set up first), "signed_in", or "locked" (during the second step)."""

    outcome: str
    account: StaffAccount | None = None
    recovery_codes_left: int | None = None  # signed in with a recovery code


def password(session: Session, email: str, typed: str, now: datetime) -> Step:
    """Unknown email, wrong password, locked and inactive accounts look the same to the person;
    the audit log tells them apart."""
    check = services.check_password_login(session, email, typed, now)
    if check.account is None:
        _count_failure(session, check.known_account, _why(check), now)
        return Step("refused")
    session.commit()  # a password rehashed with new parameters
    account = check.account
    if account.totp_enrolled:
        return Step("code", account)
    if current_app.config["STAFF_TOTP_REQUIRED"]:
        return Step("enrol", account)
    return _signed_in(session, account, now)


def _why(check: services.PasswordCheck) -> str:
    if check.known_account is None:
        return "unknown_account"
    if check.locked:
        return "locked"
    return "inactive" if not check.known_account.active else "password"


def second_factor(session: Session, account: StaffAccount, code: str, now: datetime) -> Step:
    """A 6-digit code from the app (used once), or a recovery code (used once)."""
    if services.is_locked(account, now):
        _count_failure(session, account, "locked", now)
        return Step("locked")
    if len(code) == 6 and ascii_number(code) is not None:
        if services.use_totp_code(session, account, code, now):
            return _signed_in(session, account, now)
    elif services.use_recovery_code(session, account, code, now):
        left = services.unused_recovery_codes(session, account)
        audit.record(session, "recovery_code_used", actor=account, details={"left": left})
        return _signed_in(session, account, now, recovery_codes_left=left)
    _count_failure(session, account, "code", now)
    return Step("refused")


def _signed_in(session: Session, account: StaffAccount, now: datetime, **details) -> Step:
    services.note_success(account, now)
    audit.record(session, "login_succeeded", actor=account)
    session.commit()
    return Step("signed_in", account, **details)


def _count_failure(session: Session, account, reason: str, now: datetime) -> None:
    """A wrong password or code: counted towards the lockout (one UPDATE, safe across workers
    and hosts), and written to the audit log."""
    config = current_app.config
    if account is not None and reason != "locked":
        attempts, minutes = config["STAFF_LOCKOUT_ATTEMPTS"], config["STAFF_LOCKOUT_MINUTES"]
        if services.note_failure(session, account, now, attempts, minutes):
            audit.record(
                session, "login_locked", actor=account, target_type="staff", target_id=account.id
            )
    audit.record(session, "login_failed", actor=account, details={"reason": reason})
    session.commit()


def start_enrolment(session: Session, account: StaffAccount) -> str:
    """The secret the app is to scan (a new one, unless one is waiting for its first code)."""
    secret = services.start_enrolment(account)
    session.commit()
    return secret


def confirm_enrolment(
    session: Session, account: StaffAccount, code: str, now: datetime
) -> list[str] | None:
    """The first code confirms the app; returns the recovery codes to show once (None: wrong
    code). A person still signing in is signed in by it."""
    codes = services.confirm_enrolment(session, account, code, now)
    if codes is None:
        return None
    audit.record(session, "totp_enrolled", actor=account)
    session.commit()
    return codes


def sign_in_after_enrolment(session: Session, account: StaffAccount, now: datetime) -> Step:
    return _signed_in(session, account, now)


def log_out(session: Session, account: StaffAccount) -> None:
    """Every copy of the session cookie stops working."""
    services.end_sessions(account)
    audit.record(session, "logout", actor=account)
    session.commit()


def change_password(
    session: Session, account: StaffAccount, current: str, new: str, now: datetime
) -> str | None:
    """None when changed (other sessions end); else why not: "current_password" (counted like a
    wrong login: a borrowed session must not become a password oracle) or a password problem."""
    if not verify_password(account.password_hash, current):
        _count_failure(session, account, "current_password", now)
        return "current_password"
    try:
        services.change_password(account, new)
    except services.StaffAccountError as error:
        return error.code
    audit.record(session, "password_changed", actor=account)
    session.commit()
    return None


def renew_recovery_codes(session: Session, account: StaffAccount) -> list[str]:
    codes = services.renew_recovery_codes(session, account)
    audit.record(session, "recovery_codes_renewed", actor=account)
    session.commit()
    return codes
