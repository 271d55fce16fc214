"""The booking details form."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal import i18n
from portal.appointments.labels import INTERPRETER_MODES
from portal.forms.fields import (
    CleanStringField,
    PortalForm,
    any_script_name,
    email_field,
    phone_field,
)
from portal.i18n import languages
from portal.links.tokens import looks_like_token, new_token

CHOOSE = _l("Choose one of the answers.")


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=_l("Use at most %(max)d characters."))


def language_choices() -> list[SelectChoice]:
    """The portal's languages in their own names, then "another language"."""
    choices = [SelectChoice(locale.code, locale.name) for locale in i18n.locales()]
    return [*choices, SelectChoice("other", _l("Another language"))]


class ConfirmForm(PortalForm):
    """The "Yes" of an "Are you sure?" page: its button sends confirm=yes. A form without it
    (an old page's button, a stray request) changes nothing and shows the question."""

    confirm = HiddenField()

    def confirmed(self) -> bool:
        return self.validate_on_submit() and self.confirm.data == "yes"


# One answer for a phone that has a booking at this time and one that has as many as a phone
# may have: it must not tell someone typing another person's number when that person comes.
PHONE_HAS_BOOKINGS = {
    True: _l(
        "This phone number already has bookings that stop it from booking this time (one at the "
        "same time, or two already). We have sent their links again by text message to that "
        "number: use them to see, move or cancel."
    ),
    False: _l(
        "This phone number already has bookings that stop it from booking this time (one at the "
        "same time, or two already). Use the links in the text messages we sent when they were "
        "booked, or ask for them again."
    ),
}


class BookingForm(PortalForm):
    # A one-time key made with the page: the same form sent twice makes one booking.
    form_key = HiddenField()
    name = CleanStringField(
        _l("Your name"),
        validators=[DataRequired(_l("Write your name.")), _length(200), any_script_name],
    )
    phone = phone_field()
    email = email_field()
    people = SelectField(
        _l("How many people are coming, you included?"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 7)],
        default="1",
        invalid_choice_message=CHOOSE,
        validators=[DataRequired(CHOOSE)],
    )
    language = SelectField(
        _l("Which language do you speak best?"),
        invalid_choice_message=CHOOSE,
        validators=[DataRequired(CHOOSE)],
    )
    interpreter_needed = RadioField(
        _l("Do you need an interpreter?"),
        description=_l("We arrange an interpreter for you, free of charge. Children must not interpret for adults."),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        invalid_choice_message=CHOOSE,
        validators=[InputRequired(CHOOSE)],
    )  # fmt: skip
    # The same list as the registration's (portal/i18n/languages.py), stored as a language tag.
    interpreter_language = languages.interpreter_language_field()
    interpreter_language_other = languages.other_language_field()
    interpreter_dialect = CleanStringField(_l("Dialect (optional)"), validators=[_length(100)])
    interpreter_mode = RadioField(
        _l("Where should the interpreter be?"),
        description=_l("Only if you need an interpreter."),
        choices=[SelectChoice(code, label) for code, label in INTERPRETER_MODES.items()],
        invalid_choice_message=CHOOSE,
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Anything we should know? (optional)"),
        description=_l("Do not write ID numbers or health information here."),
        validators=[Optional(), _length(500)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        languages.prepare(self)
        if not looks_like_token(self.form_key.data):
            self.form_key.data = new_token()

    def validate_interpreter_language(self, field):
        languages.check_choice(self)

    def validate_interpreter_language_other(self, field):
        languages.check_other(self)

    def validate_interpreter_mode(self, field):
        if self.interpreter_needed.data == "yes" and field.data not in INTERPRETER_MODES:
            raise ValidationError(_l("Choose where the interpreter should be."))
