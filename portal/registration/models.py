"""Family-reunification registrations: server-side drafts (one row per step) and submissions."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cases.models import Case
from portal.db import Base


class Draft(Base):
    """A registration being filled in. Only the hash of its private token is kept."""

    __tablename__ = "registration_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The status link is derived from this (and the secret key), so the receipt can show it
    # again after a double tap or a reload; it never changes, unlike the draft's own link.
    status_seed: Mapped[str | None] = mapped_column(String(64))
    # Keyed hashes of the phone and e-mail given on the contact page: a person who lost the link
    # finds the draft by them, and only by them (never by an address the link was sent to).
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Set when submitted; the step rows are then deleted and only the receipt link remains.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    steps: Mapped[list["DraftStep"]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="DraftStep.position"
    )


class DraftStep(Base):
    """The answers of one step; family members are one row each (position 0, 1, …)."""

    __tablename__ = "registration_draft_step"
    __table_args__ = (UniqueConstraint("draft_id", "step", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("registration_draft.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    draft: Mapped[Draft] = relationship(back_populates="steps")


class Registration(Base):
    """The submitted answers of a family-reunification registration."""

    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)
    interpreter_language: Mapped[str | None] = mapped_column(String(100))
    family_member_count: Mapped[int] = mapped_column(default=1)
    case: Mapped[Case] = relationship()
