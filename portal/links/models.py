"""Short private links for text messages, and links that no longer open anything (kept so the
page can say why)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class AboutOneThing:
    """A booking, a case or a saved registration: what a link or a message is about (one of the
    three is set), and goes with it when that is deleted."""

    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_draft.id", ondelete="CASCADE"), index=True
    )


class RetiredLink(AboutOneThing, Base):
    """The hash of a private link (long or short) that was replaced by a newer one: the link
    opens nothing, but the page can say "a new link was sent" (or, for a registration, that it
    was sent) instead of "not found". Goes with what it pointed at."""

    __tablename__ = "retired_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    locale: Mapped[str | None] = mapped_column(String(10))  # a short link's language
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ShortLink(AboutOneThing, Base):
    """A short private link for a text message (128 random bits; only the hash is kept). It opens
    the booking, the case status page or a saved registration like the long link does, until
    that is deleted."""

    __tablename__ = "short_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    locale: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
