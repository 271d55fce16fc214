"""The .ics file of a booking (RFC 5545 through icalendar), in the office's local time."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Response, current_app, request
from flask_babel import gettext as _
from icalendar import Calendar, Event

from portal.appointments.models import Booking
from portal.appointments.services import utc
from portal.profile import Profile


def booking_calendar(booking: Booking, profile: Profile, host: str) -> bytes:
    zone = ZoneInfo(profile.timezone)
    start = utc(booking.starts_at).astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Ankomst//booking//NO")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.reference}@{host}")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=profile.booking.slot_minutes))
    event.add("summary", _("Appointment at %(service)s", service=profile.service_name))
    event.add("location", profile.visiting_address)
    event.add(
        "description",
        _(
            "Reference number: %(reference)s. Phone: %(phone)s.",
            reference=booking.reference,
            phone=profile.phone,
        ),
    )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_response(booking: Booking, profile: Profile) -> Response:
    # The UID's domain: the configured public address, never the Host header.
    host = urlsplit(current_app.config["BASE_URL"]).hostname or request.host.split(":")[0]
    body = booking_calendar(booking, profile, host)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{booking.reference}.ics"'},
    )
