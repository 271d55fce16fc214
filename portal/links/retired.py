"""Replacing a private link: the old long link and every short link to the same thing stop
working at once, and are remembered as retired, so a page opened with one of them can say that
a newer link was sent instead of "not found"."""

from collections.abc import Iterable

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.links.models import RetiredLink
from portal.links.short_links import drop_short_links
from portal.links.tokens import looks_like_token, new_token, token_hash


def retire(session: Session, links: Iterable[tuple[str, str | None]], **target: int) -> None:
    """Remember these (hash, language) links as replaced (target: booking_id=…, case_id=… or
    draft_id=…). Two requests replacing the same link at once (a double tap) both succeed."""
    rows = [{"token_hash": value, "locale": locale, **target} for value, locale in links if value]
    if not rows:
        return
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(RetiredLink).values(rows).on_conflict_do_nothing())


def replace_links(session: Session, current_hash: str | None, **target: int) -> tuple[str, str]:
    """Retire the current long link and the short links of the target; returns a new token and
    its hash for the caller to store (the caller commits)."""
    retire(session, [(current_hash, None), *drop_short_links(session, **target)], **target)
    token = new_token()
    return token, token_hash(token)


def find_retired(session: Session, token: str | None) -> RetiredLink | None:
    if not looks_like_token(token):
        return None
    return session.get(RetiredLink, token_hash(token))
