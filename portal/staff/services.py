"""Rules for staff accounts: creating and changing them, passwords, second factor, lockout."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from portal.profile import Profile, clock
from portal.security import hash_password, password_hasher, verify_password
from portal.staff import passwords, totp
from portal.staff.models import ROLES, RecoveryCode, StaffAccount, StaffDepartment

# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_UNKNOWN_ACCOUNT_HASH = None


class StaffAccountError(ValueError):
    """The account cannot be created or changed as asked (`code` says why)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(session: Session, email: str) -> StaffAccount | None:
    return session.scalars(
        select(StaffAccount).where(StaffAccount.email == normalise_email(email))
    ).first()


def check_departments(profile: Profile, role: str, departments: list[str]) -> list[str]:
    if role not in ROLES:
        raise StaffAccountError(f"role must be one of {', '.join(ROLES)}", "role")
    known = [d.key for d in profile.departments]
    for key in departments:
        if key not in known:
            raise StaffAccountError(
                f"unknown department {key!r} (known: {', '.join(known)})", "department"
            )
    if role == "caseworker" and not departments:
        raise StaffAccountError("a caseworker needs a department", "no_department")
    return sorted(set(departments))


def check_password(password: str, *, email: str, name: str) -> None:
    problem = passwords.problem(password, email=email, name=name)
    if problem:
        raise StaffAccountError(passwords.ENGLISH_PROBLEMS[problem], problem)


def set_departments(account: StaffAccount, departments: list[str]) -> None:
    wanted = set(departments)
    account.memberships[:] = [m for m in account.memberships if m.department in wanted]
    have = set(account.departments)
    for key in sorted(wanted - have):
        account.memberships.append(StaffDepartment(department=key))


def create_or_update_account(
    session: Session,
    profile: Profile,
    *,
    email: str,
    name: str,
    role: str,
    departments: list[str],
    password: str,
    must_change_password: bool = False,
) -> StaffAccount:
    """Create a staff account, or reset an existing one with the same email (the caller commits).
    A reset ends the account's sessions."""
    email = normalise_email(email)
    departments = check_departments(profile, role, departments)
    check_password(password, email=email, name=name)
    account = find_account(session, email)
    if account is None:
        account = StaffAccount(email=email, session_version=1, failed_logins=0)
        session.add(account)
    else:
        account.session_version += 1
    account.name = name.strip()
    account.role = role
    set_departments(account, departments)
    account.password_hash = hash_password(password)
    account.must_change_password = must_change_password
    account.active = True
    account.failed_logins = 0
    account.locked_until = None
    return account


def change_password(account: StaffAccount, new_password: str) -> None:
    """The person's own new password (the caller commits). Other sessions end. Keeping the old
    one (for example the temporary password an administrator has seen) is refused."""
    check_password(new_password, email=account.email, name=account.name)
    if verify_password(account.password_hash, new_password):
        raise StaffAccountError("the new password must differ from the old one", "same")
    account.password_hash = hash_password(new_password)
    account.must_change_password = False
    account.session_version += 1


def end_sessions(account: StaffAccount) -> None:
    account.session_version += 1


def reset_second_factor(session: Session, account: StaffAccount) -> None:
    account.totp_secret = None
    account.totp_confirmed_at = None
    account.totp_last_counter = None
    for code in session.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id)):
        session.delete(code)
    end_sessions(account)


# --- login ----------------------------------------------------------------------------------
@dataclass
class PasswordCheck:
    account: StaffAccount | None  # set only when the password was right and the account usable
    known_account: StaffAccount | None  # for the audit log: whose login failed
    locked: bool = False


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else clock.utc(moment)


def is_locked(account: StaffAccount, now: datetime) -> bool:
    return account.locked_until is not None and _aware(account.locked_until) > now


def check_password_login(
    session: Session, email: str, password: str, now: datetime
) -> PasswordCheck:
    """First step of a login. Unknown email, wrong password, locked and inactive accounts all look
    the same to the person; only the audit log tells them apart."""
    global _UNKNOWN_ACCOUNT_HASH
    account = find_account(session, email) if email.strip() else None
    if account is None:
        if _UNKNOWN_ACCOUNT_HASH is None:
            _UNKNOWN_ACCOUNT_HASH = hash_password("not-a-real-account-password")
        verify_password(_UNKNOWN_ACCOUNT_HASH, password)
        return PasswordCheck(None, None)
    # Verified even when locked, so a locked account answers as slowly as any other.
    right = verify_password(account.password_hash, password)
    if is_locked(account, now):
        return PasswordCheck(None, account, locked=True)
    if not right or not account.active:
        return PasswordCheck(None, account, locked=False)
    if password_hasher().check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return PasswordCheck(account, account)


def note_failure(
    session: Session, account: StaffAccount, now: datetime, attempts: int, minutes: int
) -> bool:
    """Count a failed password or code in one UPDATE (safe across workers and hosts); after
    `attempts` failures in a row the account is locked for `minutes`. True when this locked it."""
    locks = StaffAccount.failed_logins + 1 >= attempts
    session.execute(
        update(StaffAccount)
        .where(StaffAccount.id == account.id)
        .values(
            failed_logins=case((locks, 0), else_=StaffAccount.failed_logins + 1),
            locked_until=case(
                (locks, now + timedelta(minutes=minutes)), else_=StaffAccount.locked_until
            ),
        )
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(account)
    return account.failed_logins == 0 and is_locked(account, now)


def note_success(account: StaffAccount, now: datetime) -> None:
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now


# --- second factor --------------------------------------------------------------------------
def start_enrolment(account: StaffAccount) -> str:
    """A new secret, unconfirmed until the first code from it is typed. An enrolled account keeps
    its secret: only an administrator's reset (reset_second_factor) clears it."""
    if account.totp_enrolled:
        raise StaffAccountError("the second factor is already set up", "enrolled")
    if account.totp_secret is None:
        account.totp_secret = totp.new_secret()
        account.totp_confirmed_at = None
        account.totp_last_counter = None
    return account.totp_secret


def use_totp_code(session: Session, account: StaffAccount, code: str, now: datetime) -> bool:
    """True when the code is right and not used before; records its time step so it cannot be
    used again, in one conditional UPDATE (two workers cannot both accept one code)."""
    if not account.totp_secret:
        return False
    counter = totp.matching_counter(account.totp_secret, code, now, account.totp_last_counter)
    if counter is None:
        return False
    result = session.execute(
        update(StaffAccount)
        .where(StaffAccount.id == account.id)
        .where(
            (StaffAccount.totp_last_counter.is_(None)) | (StaffAccount.totp_last_counter < counter)
        )
        .values(totp_last_counter=counter)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(account)
    return result.rowcount == 1


def confirm_enrolment(
    session: Session, account: StaffAccount, code: str, now: datetime
) -> list[str] | None:
    """The first code confirms the secret; returns the new recovery codes to show once."""
    if not use_totp_code(session, account, code, now):
        return None
    account.totp_confirmed_at = now
    return renew_recovery_codes(session, account)


def renew_recovery_codes(session: Session, account: StaffAccount) -> list[str]:
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id)):
        session.delete(old)
    session.flush()
    codes = totp.new_recovery_codes()
    for code in codes:
        session.add(RecoveryCode(account_id=account.id, code_hash=totp.recovery_code_hash(code)))
    return codes


def use_recovery_code(session: Session, account: StaffAccount, code: str, now: datetime) -> bool:
    """A recovery code works once: marked used in a conditional UPDATE."""
    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.account_id == account.id)
        .where(RecoveryCode.code_hash == totp.recovery_code_hash(code))
        .where(RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def unused_recovery_codes(session: Session, account: StaffAccount) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
