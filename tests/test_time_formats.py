"""Every language gets the 24-hour clock and the day before the month, on pages, in staff pages
and in text messages and e-mails (which use the same functions), with CLDR's words."""

from datetime import UTC, date, datetime

import pytest
from babel import Locale

from portal import i18n
from portal.i18n import formatting
from tests.conftest import portal_lines_outside

MOMENT = datetime(2026, 12, 24, 12, 30, tzinfo=UTC)  # 13:30 at the office in Oslo

# Pages: format_when (a booking's day and time); messages: short_when.
EXPECTED = {
    "nb": ("torsdag 24. desember 2026, 13:30", "24.12.2026 13:30"),
    "en": ("Thursday 24 December 2026, 13:30", "24/12/2026 13:30"),
    "uk": ("четвер, 24 грудня 2026\u202fр., 13:30", "24.12.26 13:30"),
    "ru": ("четверг, 24 декабря 2026\u202fг., 13:30", "24.12.2026 13:30"),
    "ar": ("الخميس، 24 ديسمبر 2026، 13:30", "24\u200f/12\u200f/2026 13:30"),
    "ti": ("ሓሙስ፣ 24 ታሕሳስ 2026 13:30", "24/12/2026 13:30"),
    "so": ("Khamiis, 24 Diseembar 2026 13:30", "24/12/26 13:30"),
    "fa-af": ("پنجشنبه 24 دسمبر 2026، ساعت 13:30", "24/12/2026 13:30"),
    "fa": ("پنجشنبه 24 دسامبر 2026، ساعت 13:30", "24/12/2026 13:30"),
    "ps": ("پنج شنبه 24 دسمبر 2026 13:30", "24/12/2026 13:30"),
    "ckb": ("پێنجشەممە، 24ی کانونی یەکەمی 2026 13:30", "24/12/2026 13:30"),
    "ku": ("pêncşem, 24ê berfanbara 2026an 13:30", "24.12.2026 13:30"),
}


def test_every_language_has_an_expectation():
    assert set(EXPECTED) == {locale.code for locale in i18n.locales()}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_pages_and_messages_write_the_day_first_and_the_24_hour_clock(app, code):
    locale = i18n.get_locale_by_code(code)
    with app.test_request_context():
        i18n.use_locale(locale)
        assert formatting.format_when(MOMENT) == EXPECTED[code][0]
        assert formatting.format_time(MOMENT) == "13:30"
        assert formatting.format_time(datetime(2026, 12, 24, 8, 5)) == "09:05"  # naive = UTC
        assert formatting.short_when(MOMENT, locale.gettext) == EXPECTED[code][1]


@pytest.mark.parametrize("code", sorted(EXPECTED))
@pytest.mark.parametrize("style", ["full", "long", "medium", "short"])
def test_every_date_style_puts_the_day_before_the_month_and_the_year(code, style):
    pattern = formatting.date_pattern(style, Locale.parse(i18n.get_locale_by_code(code).gettext))
    letters = "".join(ch for ch in pattern if ch in "dMLy")
    assert letters.index("d") < letters.index("M") < letters.index("y"), pattern


def test_a_moment_is_shown_in_the_office_time_zone_on_its_own_date(app):
    late = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)  # already the 25th in Oslo
    with app.test_request_context():
        i18n.use_locale(i18n.get_locale_by_code("en"))
        assert formatting.format_datetime(late, "short") == "25/12/2026, 00:30"
        assert formatting.format_date(date(2026, 12, 25), "long") == "25 December 2026"


def test_messages_written_outside_a_request_follow_the_recipients_language(app):
    with app.app_context():
        assert formatting.short_when(MOMENT, "ar") == EXPECTED["ar"][1]
        assert formatting.short_when(MOMENT, "nb") == EXPECTED["nb"][1]


def test_nothing_else_formats_dates_for_readers():
    """Pages, messages and staff pages take dates and times from portal.i18n.formatting only."""
    offenders = portal_lines_outside(
        "i18n",
        r"import .*\bformat_(date|time|datetime|skeleton)\b",
        unless="portal.i18n.formatting",
    )
    assert offenders == []
