"""The office's own date and time: forms and slots reason in Europe/Oslo, not the server's zone."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from portal.profile import get_profile


def utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything is stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(ZoneInfo(get_profile().timezone)).date()


def local_midnight(day: date) -> datetime:
    """The start of a day at the office, as an aware datetime."""
    return datetime.combine(day, time(0), ZoneInfo(get_profile().timezone))
