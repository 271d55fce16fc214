"""Rules for staff accounts."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.profile import Profile
from portal.security import hash_password
from portal.staff.models import ROLES, StaffAccount

MIN_PASSWORD_LENGTH = 12


class StaffAccountError(ValueError):
    """The account cannot be created as asked."""


def create_or_update_account(
    session: Session,
    profile: Profile,
    *,
    email: str,
    name: str,
    role: str,
    department: str | None,
    password: str,
) -> StaffAccount:
    """Create a staff account, or reset an existing one with the same email."""
    email = email.strip().lower()
    if role not in ROLES:
        raise StaffAccountError(f"role must be one of {', '.join(ROLES)}")
    if department is not None and profile.department(department) is None:
        known = ", ".join(d.key for d in profile.departments)
        raise StaffAccountError(f"unknown department {department!r} (known: {known})")
    if role == "caseworker" and department is None:
        raise StaffAccountError("a caseworker needs a department")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    account = session.scalars(select(StaffAccount).where(StaffAccount.email == email)).first()
    if account is None:
        account = StaffAccount(email=email)
        session.add(account)
    account.name = name
    account.role = role
    account.department = department
    account.password_hash = hash_password(password)
    account.active = True
    session.commit()
    return account
