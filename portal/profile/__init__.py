"""The municipality profile: one TOML file with the facts that differ between municipalities."""

import tomllib
from dataclasses import dataclass
from datetime import time

from flask import Flask, current_app

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ProfileError(ValueError):
    """The profile file is incomplete or inconsistent."""


@dataclass(frozen=True)
class OpeningHours:
    """Hours that apply to a run of weekdays (0 = Monday)."""

    days: tuple[int, ...]
    opens: time
    closes: time


@dataclass(frozen=True)
class Department:
    key: str
    name: str


@dataclass(frozen=True)
class CaseRouting:
    """Where a kind of case goes and how soon it should be handled."""

    department: str
    due_in_days: int


@dataclass(frozen=True)
class BookingRules:
    """How the front desk can be booked."""

    slot_minutes: int
    desks: int  # people served at the same time: the capacity of each slot
    minimum_notice_hours: int
    horizon_days: int
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    municipality: str
    service_name: str
    visiting_address: str
    postal_address: str
    phone: str
    phone_e164: str
    email: str
    timezone: str
    opening_hours: tuple[OpeningHours, ...]
    departments: tuple[Department, ...]
    case_routing: dict[str, CaseRouting]
    booking: BookingRules
    # Days a booking is kept after its time (or after it was cancelled): then `portal purge` deletes it.
    booking_retention_days: int = 30
    # Days after closing that a case is anonymised, and days the audit log is kept.
    case_retention_days: int = 365
    audit_retention_days: int = 730
    # What to bring to an appointment (keys the booking pages name, appointments/labels.py) and
    # a map of the visiting address ([visit] in the TOML; both optional).
    bring: tuple[str, ...] = ("id", "letters")
    map_url: str | None = None
    # The visiting address as text messages write it: a short form where the full one would
    # make an appointment's SMS longer than two segments ([contact] sms_address; optional).
    sms_address: str = ""

    def department(self, key: str) -> Department | None:
        return next((d for d in self.departments if d.key == key), None)

    def route(self, case_type: str) -> str:
        return self.case_routing[case_type].department

    def due_days(self, case_type: str) -> int:
        return self.case_routing[case_type].due_in_days


def _parse_hours(block: dict) -> OpeningHours:
    try:
        days = tuple(WEEKDAYS.index(day) for day in block["days"])
        opens = time.fromisoformat(block["opens"])
        closes = time.fromisoformat(block["closes"])
    except (KeyError, ValueError) as error:
        raise ProfileError(f"bad opening_hours entry {block!r}: {error}") from error
    if closes <= opens:
        raise ProfileError(f"opening hours close before they open: {block!r}")
    return OpeningHours(days=days, opens=opens, closes=closes)


def parse(data: dict) -> Profile:
    """Build a Profile from parsed TOML, refusing missing facts."""
    try:
        municipality = data["municipality"]
        contact = data["contact"]
        departments = tuple(Department(d["key"], d["name"]) for d in data["departments"])
        hours = tuple(_parse_hours(block) for block in data["opening_hours"])
        routing = {
            case_type: CaseRouting(entry["department"], int(entry["due_in_days"]))
            for case_type, entry in data["cases"].items()
        }
        rules = data["booking"]
        booking = BookingRules(
            slot_minutes=int(rules["slot_minutes"]),
            desks=int(rules["desks"]),
            minimum_notice_hours=int(rules["minimum_notice_hours"]),
            horizon_days=int(rules["horizon_days"]),
            topics=tuple(rules["topics"]),
        )
        if booking.slot_minutes <= 0 or booking.desks <= 0 or not booking.topics:
            raise ProfileError("booking needs a positive slot length, desks and topics")
        known = {d.key for d in departments}
        for case_type, route in routing.items():
            if route.department not in known:
                raise ProfileError(f"cases.{case_type} routes to unknown {route.department!r}")
        return Profile(
            municipality=municipality["name"],
            service_name=municipality["service_name"],
            visiting_address=contact["visiting_address"],
            sms_address=contact.get("sms_address") or contact["visiting_address"],
            postal_address=contact["postal_address"],
            phone=contact["phone"],
            phone_e164=contact["phone_e164"],
            email=contact["email"],
            timezone=municipality.get("timezone", "Europe/Oslo"),
            opening_hours=hours,
            departments=departments,
            case_routing=routing,
            booking=booking,
            booking_retention_days=int(data.get("retention", {}).get("bookings_days_after", 30)),
            case_retention_days=int(data.get("retention", {}).get("cases_days_after_closed", 365)),
            audit_retention_days=int(data.get("retention", {}).get("audit_days", 730)),
            bring=tuple(data.get("visit", {}).get("bring", ("id", "letters"))),
            map_url=data.get("visit", {}).get("map_url"),
        )
    except KeyError as error:
        raise ProfileError(f"the profile lacks {error}") from error


def load(path: str) -> Profile:
    with open(path, "rb") as handle:
        return parse(tomllib.load(handle))


def init_app(app: Flask) -> None:
    profile = load(app.config["PROFILE_PATH"])
    app.extensions["profile"] = profile

    @app.context_processor
    def _inject_profile():
        return {"profile": profile}


def get_profile() -> Profile:
    return current_app.extensions["profile"]
