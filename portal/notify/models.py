"""The outbox: one row per message to send."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, String, Text, false, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.links.models import AboutOneThing

KINDS = (
    "booking_confirmed", "booking_reminder", "booking_moved", "booking_cancelled",
    "booking_closed", "registration_received", "caseworker_message", "draft_link",
    "booking_link", "status_link",
)  # fmt: skip
CHANNELS = ("sms", "email")
# pending → sending → sent; or back to pending with a later next_attempt_at; failed after the
# last attempt; cancelled when the event no longer needs telling (a reminder of a moved booking).
STATES = ("pending", "sending", "sent", "failed", "cancelled")


class OutboxMessage(AboutOneThing, Base):
    """One message to one recipient on one channel. The body is written on the first attempt and
    erased once the message is sent or has failed: it may hold a private link."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What happened, once: a second event with the same key adds no second message.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict | None] = mapped_column(JSON)  # erased with the body
    # Asked for by someone on a public page (a link sent again): counted against the caps on
    # what the public can make the outbox send.
    requested_by_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(300))
    segments: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
