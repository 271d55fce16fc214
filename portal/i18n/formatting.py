"""Locale-aware formatting of dates and times (Babel/CLDR), the one place pages, messages and
staff pages get them from.

Everyone the portal serves lives by Norwegian appointments and papers, so every language gets
the 24-hour clock and the day before the month ("5 December 2026", "13:30"), even where CLDR's
default for the language is 12-hour or month-first (English, Tigrinya, Somali, Arabic, Sorani).
The words (weekday and month names, the order of the other parts, punctuation) stay CLDR's."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import flask_babel
from babel import Locale, dates
from babel.dates import format_interval, get_date_format, get_datetime_format, get_day_names
from babel.lists import format_list
from flask_babel import gettext as _

from portal.profile import OpeningHours, get_profile

TIME_PATTERN = "HH:mm"

# Where CLDR puts the month or the year before the day: the same words, the day first.
DAY_FIRST_PATTERNS: dict[str, dict[str, str]] = {
    "en": {"full": "EEEE d MMMM y", "long": "d MMMM y", "medium": "d MMM y", "short": "dd/MM/y"},
    "ti": {"long": "d MMMM y", "medium": "d MMM y", "short": "dd/MM/y"},
    "so": {"full": "EEEE, d MMMM y", "long": "d MMMM y"},
    "ckb": {"full": "EEEE، dی MMMMی y", "medium": "d MMM y", "short": "d/M/y"},
    "fa": {"short": "d/M/y"},
    "fa_AF": {"short": "d/M/y"},
    "ps": {"full": "EEEE d MMMM y", "short": "d/M/y"},
}


def date_pattern(style: str, locale: Locale) -> str:
    """The CLDR pattern for a date style ("full", "long", "medium", "short"), day first."""
    own = DAY_FIRST_PATTERNS.get(str(locale), {}).get(style)
    return own or get_date_format(style, locale=locale).pattern


def _locale() -> Locale:
    # Flask-Babel's locale follows i18n.use_locale() and also force_locale() (messages are
    # written in the recipient's language outside any request).
    return flask_babel.get_locale() or Locale.parse("nb")


def _in_office_zone(value: date | datetime) -> date | datetime:
    """A datetime in the office's time zone (a naive one is UTC, as the database keeps them)."""
    if not isinstance(value, datetime):
        return value
    aware = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(ZoneInfo(get_profile().timezone))


def format_date(value: date | datetime, style: str = "medium") -> str:
    """A date, day first; a datetime is first moved into the office's time zone."""
    locale = _locale()
    return dates.format_date(_in_office_zone(value), date_pattern(style, locale), locale=locale)


def format_time(value: datetime, style: str = "short") -> str:
    """A time of day on the 24-hour clock ("09:30"), in the office's time zone. Every style
    gives hours and minutes: nobody needs seconds for an appointment."""
    moment = _in_office_zone(value)
    return dates.format_time(moment, TIME_PATTERN, tzinfo=moment.tzinfo, locale=_locale())


def format_datetime(value: datetime, style: str = "short") -> str:
    """Date (of that style) and time, joined as the language joins them."""
    locale = _locale()
    glue = get_datetime_format(style, locale=locale).replace("'", "")
    return glue.replace("{0}", format_time(value)).replace("{1}", format_date(value, style))


def format_when(moment: datetime) -> str:
    """Weekday, date and time as the reader's language writes them together ("lørdag 5.
    desember 2026, 09:30"). `moment` is aware."""
    return format_datetime(moment, "full")


def _compact(text: str) -> str:
    # Narrow and no-break spaces become plain spaces: a Latin-script text message then stays in
    # the SMS alphabet (160 characters, not 70).
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def short_when(moment: datetime, locale: str) -> str:
    """A compact date and time for a text message in `locale` (a gettext locale name):
    "05.12.2026 13:30", "5/12/2026 13:30"."""
    with flask_babel.force_locale(locale):
        return _compact(f"{format_date(moment, 'short')} {format_time(moment)}")


def _day_range(days: tuple[int, ...], locale: Locale) -> str:
    # The "format" context, not "stand-alone": in Babel 2.18, loading Pashto's stand-alone day
    # names (an alias) overwrites the stand-alone names of every locale loaded after it.
    names = get_day_names("wide", context="format", locale=locale)
    if len(days) > 2 and list(days) == list(range(days[0], days[-1] + 1)):
        # i18n: a range of weekdays, e.g. "Monday–Friday"
        return _("%(first)s–%(last)s", first=names[days[0]], last=names[days[-1]])
    return format_list([names[day] for day in days], locale=locale)


def opening_hours_lines(hours: tuple[OpeningHours, ...], locale_name: str) -> list[tuple[str, str]]:
    """[(days, times)] in the reader's language, e.g. ("mandag–fredag", "08:00–15:00")."""
    locale = Locale.parse(locale_name)
    today = datetime(2000, 1, 3)  # any date: only the times are formatted
    lines = []
    for block in hours:
        start = today.replace(hour=block.opens.hour, minute=block.opens.minute)
        end = today.replace(hour=block.closes.hour, minute=block.closes.minute)
        times = format_interval(start, end, "Hm", locale=locale)
        lines.append((_day_range(block.days, locale), times))
    return lines
