"""The slot engine: opening hours minus holidays and closures, notice, horizon, DST."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.appointments.slots import bookable_days, day_start_times, slots_for_day
from portal.config import ROOT
from portal.profile import OpeningHours, load

OSLO = ZoneInfo("Europe/Oslo")
STAVANGER = load(str(ROOT / "deploy/profiles/stavanger.toml"))


def at(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def days_before(day: date, days: int) -> datetime:
    return datetime.combine(day - timedelta(days=days), time(12), OSLO)


def local_times(slots) -> list[str]:
    return [slot.local.strftime("%H:%M") for slot in slots]


def test_a_normal_weekday_has_slots_from_opening_to_the_last_that_ends_by_closing():
    slots = slots_for_day(STAVANGER, date(2026, 12, 1), at(2026, 11, 27), [], {})
    assert local_times(slots)[0] == "08:00" and local_times(slots)[-1] == "14:30"
    assert len(slots) == 14 and all(slot.free_desks == 2 for slot in slots)


def test_a_normal_week_is_open_monday_to_friday():
    days = bookable_days(STAVANGER, at(2026, 11, 27, 8), [])
    week = [d for d in days if date(2026, 11, 30) <= d <= date(2026, 12, 6)]
    assert [d.isoformat() for d in week] == [
        "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"
    ]  # fmt: skip


def test_last_slot_must_end_by_closing_time():
    profile = replace(STAVANGER, booking=replace(STAVANGER.booking, slot_minutes=45))
    times = [t.strftime("%H:%M") for t in day_start_times(profile, date(2026, 12, 1))]
    assert times[-1] == "14:00"  # 14:00–14:45; 14:45 would end after 15:00


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 3, 25), "Maundy Thursday"),
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 6), "Ascension Day"),
        (date(2027, 5, 17), "17 May, a Monday in 2027"),
        (date(2026, 5, 25), "Whit Monday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2027, 1, 1), "New Year's Day"),
    ],
)
def test_public_holidays_have_no_slots(day, name):
    now = days_before(day, 10)
    assert slots_for_day(STAVANGER, day, now, [], {}) == [], name
    assert day not in bookable_days(STAVANGER, now, [])


def test_the_day_after_easter_monday_is_open():
    assert slots_for_day(STAVANGER, date(2027, 3, 30), at(2027, 3, 20), [], {})


def test_a_closure_removes_its_days():
    closures = [(date(2026, 12, 28), date(2026, 12, 30))]
    now = at(2026, 12, 14)
    assert slots_for_day(STAVANGER, date(2026, 12, 29), now, closures, {}) == []
    assert slots_for_day(STAVANGER, date(2026, 12, 31), now, closures, {})  # the day after
    days = bookable_days(STAVANGER, now, closures)
    assert date(2026, 12, 28) not in days and date(2026, 12, 31) in days


def test_minimum_notice_and_horizon():
    now = at(2026, 11, 30, 16)  # Monday afternoon; 18 hours' notice
    days = bookable_days(STAVANGER, now, [])
    assert days[0] == date(2026, 12, 1)
    tuesday = slots_for_day(STAVANGER, date(2026, 12, 1), now, [], {})
    assert local_times(tuesday)[0] == "10:30"  # 16:00 + 18 h = 10:00, so 10:30 is the first
    assert max(days) == date(2026, 12, 28)  # exactly 28 days ahead (a Monday)


def test_taken_desks_reduce_and_fill_slots():
    day = date(2026, 12, 1)
    eight = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 08:00 in Oslo (winter time)
    half_past = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    slots = slots_for_day(STAVANGER, day, at(2026, 11, 27), [], {eight: 2, half_past: 1})
    assert local_times(slots)[0] == "08:30" and slots[0].free_desks == 1


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 27), 7),  # Friday before summer time: 08:00 is 07:00 UTC
        (date(2026, 3, 30), 6),  # Monday after: 08:00 is 06:00 UTC
        (date(2026, 10, 23), 6),  # Friday before winter time
        (date(2026, 10, 26), 7),  # Monday after
    ],
)
def test_dst_weekends_keep_local_opening_hours(day, utc_hour):
    now = days_before(day, 3)
    first = slots_for_day(STAVANGER, day, now, [], {})[0]
    assert first.local.strftime("%H:%M") == "08:00"
    assert first.starts_at.hour == utc_hour and first.starts_at.tzinfo == UTC


def test_hours_across_the_dst_change_skip_the_missing_hour_and_keep_the_repeated_one():
    night = (OpeningHours(days=(6,), opens=time(1, 0), closes=time(4, 0)),)
    profile = replace(STAVANGER, opening_hours=night)
    spring = [t.strftime("%H:%M") for t in day_start_times(profile, date(2026, 3, 29))]
    assert spring == ["01:00", "01:30", "03:00", "03:30"]  # 02:00–03:00 does not exist
    autumn = day_start_times(profile, date(2026, 10, 25))
    assert [t.strftime("%H:%M") for t in autumn] == [
        "01:00",
        "01:30",
        "02:00",
        "02:30",
        "03:00",
        "03:30",
    ]
    assert len({t.astimezone(UTC) for t in autumn}) == 6  # each a distinct moment
