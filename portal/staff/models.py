"""Staff accounts, the departments they work in, and their recovery codes."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base

ROLES = ("admin", "caseworker", "reception")


class StaffAccount(UserMixin, Base):
    """A member of staff who logs in with email, password (argon2id) and a TOTP code."""

    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set by an administrator's reset: the person chooses their own password at the next login.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # TOTP: the secret is set at enrolment and counts once the first code is confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)  # a code works once
    # Lockout after repeated failures, shared by every worker and host through the database.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of the session: raising it ends every session of the account (logout, deactivation).
    session_version: Mapped[int] = mapped_column(default=1)
    memberships: Mapped[list["StaffDepartment"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StaffDepartment.department"
    )

    def get_id(self) -> str:
        """What the session remembers (Flask-Login): the id and the session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def departments(self) -> list[str]:
        return [membership.department for membership in self.memberships]

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_confirmed_at is not None


class StaffDepartment(Base):
    """A department (a key from the profile) an account works in."""

    __tablename__ = "staff_department"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True
    )
    department: Mapped[str] = mapped_column(String(50), primary_key=True)


class RecoveryCode(Base):
    """A single-use code for when the phone with the authenticator is lost; stored as a hash."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
