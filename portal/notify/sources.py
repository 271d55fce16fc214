"""What a message says is decided when it is sent, by the feature it is about: notify imports no
feature. Each feature registers, for the messages about its things (a booking, a case, a saved
registration), a function giving the values of the text at sending time (None: not wanted any
more, so it is cancelled) and one that says whether a text written on an earlier attempt is
still wanted."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.i18n import PortalLocale
from portal.notify.models import OutboxMessage

TARGETS = ("booking", "case", "draft")


@dataclass(frozen=True)
class Source:
    values: Callable[[Session, OutboxMessage, PortalLocale], dict | None]
    still_wanted: Callable[[Session, OutboxMessage], bool] = lambda _session, _message: True


_SOURCES: dict[str, Source] = {}


def register(target: str, source: Source) -> None:
    """Called by a feature's init_app (target: "booking", "case" or "draft")."""
    assert target in TARGETS
    _SOURCES[target] = source


def _source(message: OutboxMessage) -> Source | None:
    target = next((t for t in TARGETS if getattr(message, f"{t}_id") is not None), None)
    return _SOURCES.get(target)


def values(session: Session, message: OutboxMessage, locale: PortalLocale) -> dict | None:
    source = _source(message)
    return source.values(session, message, locale) if source else None


def still_wanted(session: Session, message: OutboxMessage) -> bool:
    """Whether a text written on an earlier attempt should still go (a message about nothing
    in particular always should)."""
    source = _source(message)
    return source.still_wanted(session, message) if source else True
