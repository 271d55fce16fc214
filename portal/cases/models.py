"""The case envelope and its timeline."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base

CASE_TYPES = ("family_reunification",)
STATUSES = ("received", "in_review", "waiting_for_applicant", "completed", "rejected", "withdrawn")


class Case(Base):
    """One submission from the public, as the staff handle it."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30), default="received")
    department: Mapped[str] = mapped_column(String(50))
    due_date: Mapped[date] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(10))
    # What made this case (e.g. "draft:<id>"): a second submit of the same thing cannot make another.
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    case: Mapped[Case] = relationship(back_populates="events")
