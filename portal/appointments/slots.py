"""The slot engine: which start times can be booked, from the profile's opening hours, minus
Norwegian public holidays and closures, within the notice and horizon. All pure functions."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from portal.profile import Profile


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # aware, UTC
    local: datetime  # aware, in the office's time zone
    free_desks: int


@lru_cache(maxsize=16)
def public_holidays(year: int) -> frozenset[date]:
    """Norwegian public holidays, Easter-based ones included (the `holidays` package)."""
    return frozenset(holidays.Norway(years=year))


def is_closed(day: date, closures: list[tuple[date, date]]) -> bool:
    return day in public_holidays(day.year) or any(first <= day <= last for first, last in closures)


def _local_times(day: date, opens: time, closes: time, minutes: int, zone: ZoneInfo):
    """Start times on the wall clock; a time that does not exist (spring forward) is skipped."""
    step = timedelta(minutes=minutes)
    moment = datetime.combine(day, opens)
    while moment + step <= datetime.combine(day, closes):
        local = moment.replace(tzinfo=zone)
        round_trip = local.astimezone(UTC).astimezone(zone)
        if round_trip.replace(tzinfo=None) == moment:
            yield local
        moment += step


def day_start_times(profile: Profile, day: date) -> list[datetime]:
    """Every start time of a day when the office is open (aware, local), before closures."""
    zone = ZoneInfo(profile.timezone)
    booking = profile.booking
    times = []
    for block in profile.opening_hours:
        if day.weekday() in block.days:
            times.extend(_local_times(day, block.opens, block.closes, booking.slot_minutes, zone))
    return sorted(times)


def bookable_days(profile: Profile, now: datetime, closures: list[tuple[date, date]]) -> list[date]:
    """Days inside the booking horizon with at least one start time after the minimum notice."""
    zone = ZoneInfo(profile.timezone)
    today = now.astimezone(zone).date()
    earliest = now + timedelta(hours=profile.booking.minimum_notice_hours)
    days = []
    for offset in range(profile.booking.horizon_days + 1):
        day = today + timedelta(days=offset)
        if is_closed(day, closures):
            continue
        if any(start > earliest for start in day_start_times(profile, day)):
            days.append(day)
    return days


def slots_for_day(
    profile: Profile,
    day: date,
    now: datetime,
    closures: list[tuple[date, date]],
    taken: dict[datetime, int],
) -> list[Slot]:
    """The day's start times that can still be booked, with how many desks are free.
    `taken` counts reserved desks per start time (UTC)."""
    today = now.astimezone(ZoneInfo(profile.timezone)).date()
    last = today + timedelta(days=profile.booking.horizon_days)
    if not today <= day <= last or is_closed(day, closures):
        return []
    earliest = now + timedelta(hours=profile.booking.minimum_notice_hours)
    slots = []
    for local in day_start_times(profile, day):
        if local <= earliest:
            continue
        start = local.astimezone(UTC)
        free = profile.booking.desks - taken.get(start, 0)
        if free > 0:
            slots.append(Slot(starts_at=start, local=local, free_desks=free))
    return slots


def is_bookable(profile: Profile, start: datetime, now: datetime, closures) -> bool:
    """Whether a start time is one the engine offers (ignoring how many desks are taken)."""
    zone = ZoneInfo(profile.timezone)
    local = start.astimezone(zone)
    return any(
        slot.starts_at == start.astimezone(UTC)
        for slot in slots_for_day(profile, local.date(), now, closures, {})
    )
