"""The case envelope and its timeline."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.staff.models import StaffAccount

CASE_TYPES = ("family_reunification",)
STATUSES = ("received", "in_review", "waiting_for_applicant", "completed", "rejected", "withdrawn")
OPEN_STATUSES = ("received", "in_review", "waiting_for_applicant")


class Case(Base):
    """One submission from the public, as the staff handle it."""

    __tablename__ = "cases"
    # The queue filters by department and status and sorts by due date.
    __table_args__ = (Index("ix_cases_department_status_due", "department", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30), default="received")
    department: Mapped[str] = mapped_column(String(50))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    locale: Mapped[str] = mapped_column(String(10))
    # What the queue shows and searches, copied from the submission so the list needs no join.
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    interpreter_language: Mapped[str | None] = mapped_column(String(100))
    # The applicant answered and no member of staff has opened the case since: the queue says so.
    unread_answer: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), index=True
    )
    # What made this case (e.g. "draft:<id>"): a second submit of the same thing cannot make another.
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Pages read these, and templates never query: whoever loads a case for a page says what it
    # shows (e.g. workflow.load_case(with_timeline=True)); a forgotten eager load raises.
    assignee: Mapped[StaffAccount | None] = relationship(lazy="raise")
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan", lazy="raise"
    )


class CaseEvent(Base):
    """A line of the timeline. `kind` and `status` are codes, translated when shown."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str | None] = mapped_column(String(30))
    visible_to_applicant: Mapped[bool] = mapped_column(default=True)
    details: Mapped[dict | None] = mapped_column(JSON)
    # The member of staff who wrote a note or message or made a change (None: the applicant or the system).
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    case: Mapped[Case] = relationship(back_populates="events")
    author: Mapped[StaffAccount | None] = relationship(lazy="raise")


class RoutingOverride(Base):
    """An administrator's choice of where a type of case goes, in place of the profile's."""

    __tablename__ = "case_routing_override"

    case_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    department: Mapped[str] = mapped_column(String(50))
    due_in_days: Mapped[int]
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
