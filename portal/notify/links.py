"""Short private links for text messages: /k/<22 characters> opens a booking or a case's status
page in the recipient's language, exactly like the long private link (the same cookie exchange)."""

import secrets

from flask import Blueprint, abort, redirect, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import i18n
from portal.db import get_session
from portal.limits import limiter, lookup_limit, not_found
from portal.notify.models import ShortLink
from portal.security import no_store
from portal.tokens import looks_like_token, token_hash

bp = Blueprint("short_links", __name__)
bp.after_request(no_store)
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


@bp.get("/k/<token>")
@limiter.limit(lookup_limit, deduct_when=not_found)
def follow(token: str):
    link = find_short_link(get_session(), token)
    if link is None:
        abort(404)
    lang = (i18n.get_locale_by_code(link.locale) or i18n.get_locale_by_code("nb")).code
    if link.booking_id is not None:
        return redirect(url_for("booking.manage", lang=lang, token=token))
    if link.draft_id is not None:
        return redirect(url_for("registration.resume", lang=lang, token=token))
    return redirect(url_for("cases.show_status", lang=lang, token=token))
