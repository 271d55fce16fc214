"""Locale-aware formatting of profile facts (Babel/CLDR), shared by templates and pages."""

from datetime import datetime

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    format_time,
    get_datetime_format,
    get_day_names,
)
from babel.lists import format_list
from flask_babel import gettext as _

from portal.i18n import current_locale
from portal.profile import OpeningHours


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


def format_when(moment: datetime) -> str:
    """Weekday, date and time as the reader's language writes them together ("tirsdag 24.
    november 2026 kl. 09:30"; 12-hour clocks where the language uses them). `moment` is aware,
    in the office's time zone."""
    locale = current_locale().babel
    # CLDR's pattern for joining a date and a time, e.g. "{1} 'kl'. {0}" (as Babel joins them).
    glue = get_datetime_format("full", locale=locale).replace("'", "")
    time_text = format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    return glue.replace("{0}", time_text).replace(
        "{1}", format_date(moment.date(), "full", locale=locale)
    )
