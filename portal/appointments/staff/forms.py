"""Forms of the front desk: choosing a day, marking attendance, adding a closure."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    StopValidation,
    ValidationError,
)

from portal.forms.fields import CleanStringField, LocalDateField, PortalForm
from portal.profile import clock

ATTENDANCE_STATES = ("checked_in", "no_show", "clear")
BOOKING_ID = re.compile(r"[0-9]{1,12}")


def date_required(message):
    """Like DataRequired, but a date that could not be read keeps its own error message."""

    def check(form, field):
        if field.data is None:
            raise StopValidation(None if field.process_errors else message)

    return check


def near_today(form, field):
    """Far-off dates are typing mistakes (and out of range for the time zone arithmetic)."""
    if field.data is not None and abs((field.data - clock.today()).days) > 5 * 366:
        raise ValidationError(_l("Choose a day less than five years from today."))


class DayForm(PortalForm):
    """The day to show (a GET form: no CSRF token, the address can be bookmarked)."""

    class Meta:
        csrf = False

    day = LocalDateField(
        _l("Show another day"), validators=[date_required(_l("Enter a date.")), near_today]
    )


class AttendanceForm(PortalForm):
    """One form per booking; each button sends its own state."""

    state = RadioField(
        choices=[SelectChoice(state, state) for state in ATTENDANCE_STATES],
        validators=[InputRequired()],
    )


class CancelBookingsForm(PortalForm):
    """The confirmation of a bulk cancellation: the bookings the page listed, and only those.
    Without the list (a button pressed anywhere but on the confirmation page) nothing happens."""

    bookings = HiddenField(validators=[DataRequired()])

    def validate_bookings(self, field):
        ids = field.data.split(",")
        if not all(BOOKING_ID.fullmatch(part) for part in ids):
            raise ValidationError("not a list of bookings")

    @property
    def booking_ids(self) -> set[int]:
        return {int(part) for part in self.bookings.data.split(",")}


class ClosureForm(PortalForm):
    first_day = LocalDateField(
        _l("First closed day"),
        validators=[date_required(_l("Enter the first day the office is closed.")), near_today],
    )
    last_day = LocalDateField(
        _l("Last closed day (optional)"),
        description=_l("Leave empty when the office is closed for one day only."),
        validators=[near_today],
    )
    reason = CleanStringField(
        _l("Reason"),
        description=_l("Only staff see the reason."),
        validators=[
            DataRequired(_l("Write why the office is closed.")),
            Length(max=200, message=_l("Use at most %(max)d characters.")),
        ],
    )

    def validate_first_day(self, field):
        if field.data < clock.today():
            raise ValidationError(_l("The first day cannot be in the past."))

    def validate_last_day(self, field):
        first = self.first_day.data
        if field.data is not None and first is not None and field.data < first:
            raise ValidationError(_l("The last day cannot be before the first day."))
