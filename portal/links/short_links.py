"""Short private links for text messages: /k/<22 characters> opens a booking, a case's status
page or a saved registration like the long link does (the same cookie exchange)."""

import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.links.models import ShortLink
from portal.links.tokens import looks_like_token, token_hash

SHORT_TOKEN_BYTES = 16  # 128 random bits, 22 characters


def new_short_link(
    session: Session, *, locale: str, booking_id=None, case_id=None, draft_id=None
) -> str:
    """A new short-link token (the caller commits); only its hash is stored."""
    token = secrets.token_urlsafe(SHORT_TOKEN_BYTES)
    link = ShortLink(token_hash=token_hash(token), locale=locale, booking_id=booking_id,
                     case_id=case_id, draft_id=draft_id)  # fmt: skip
    session.add(link)
    return token


def find_short_link(session: Session, token: str | None) -> ShortLink | None:
    if not looks_like_token(token):
        return None
    return session.scalars(
        select(ShortLink).where(ShortLink.token_hash == token_hash(token))
    ).first()


def short_link_target(session: Session, token: str | None, column: str) -> int | None:
    """The booking_id, case_id or draft_id a short link opens, or None: the one place where the
    long-link lookups of bookings, cases and drafts fall back to short links."""
    link = find_short_link(session, token)
    return getattr(link, column) if link is not None else None


def drop_short_links(session: Session, **target: int) -> list[tuple[str, str]]:
    """Delete the short links to one booking, case or draft (booking_id=…, case_id=… or
    draft_id=…); returns their hashes and languages."""
    ((column, value),) = target.items()
    condition = getattr(ShortLink, column) == value
    dropped = [tuple(row) for row in session.execute(
        select(ShortLink.token_hash, ShortLink.locale).where(condition)
    )]  # fmt: skip
    if dropped:
        session.execute(delete(ShortLink).where(condition))
    return dropped
