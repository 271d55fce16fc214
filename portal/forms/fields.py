"""WTForms fields and validators shared by the public forms. Every message is translated."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from portal.forms import validation
from portal.profile import clock

CONTROL_CHARACTERS_REMOVED = _l(
    "This answer had invisible control characters that cannot be saved. We removed them: "
    "check the answer and send it again."
)


class PortalForm(FlaskForm):
    """Every form of the portal, public and staff. A CSRF failure is an ordinary, translated
    error: the page comes back with what the person typed and a fresh token, instead of a bare
    400 page. Control characters (NUL, ESC, …) never reach a service: they are taken out of every
    text the form reads, and the field says so (PostgreSQL refuses NUL, SQLite would store it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field.data, str) and validation.has_control_characters(field.data):
                field.data = validation.without_control_characters(field.data)
                field.process_errors.append(CONTROL_CHARACTERS_REMOVED)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            self.csrf_token.errors = [
                _l("For your safety, the form expired. Check your answers and send it again.")
            ]
        return valid


class CleanStringField(StringField):
    """Text with surrounding spaces removed and inner runs of spaces collapsed."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = " ".join(self.data.split())


class DateInput(TextInput):
    input_type = "date"


class LocalDateField(Field):
    """A date typed as YYYY-MM-DD (the browser's date picker) or DD.MM.YYYY, in any digits."""

    widget = DateInput()
    FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def process_data(self, value):
        # Stored drafts keep dates as ISO strings.
        self.data = date.fromisoformat(value) if isinstance(value, str) and value else value

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = validation.normalise_digits(valuelist[0]).strip()
        self.data = None
        if not text:
            return
        for pattern in self.FORMATS:
            try:
                self.data = datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
                return
            except ValueError:
                continue
        raise ValueError(_l("Enter a real date, for example 2024-03-27."))


def phone_field(label=None, required=True) -> CleanStringField:
    """Any country's phone number (Norwegian without a country code), stored as E.164."""
    presence = DataRequired(_l("Write a phone number.")) if required else Optional()
    return CleanStringField(
        label or _l("Phone number"),
        description=_l("Numbers from other countries start with + and the country code.")
        if required
        else None,
        validators=[
            presence,
            Length(max=30, message=_l("Use at most %(max)d characters.")),
            phone_number,
        ],
        render_kw={"type": "tel", "autocomplete": "tel" if required else "off", "dir": "ltr"},
    )


def email_field() -> CleanStringField:
    return CleanStringField(
        _l("Email (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Use at most %(max)d characters.")),
            Email(_l("Write a valid email address, like name@example.com.")),
        ],
        render_kw={"type": "email", "autocomplete": "email", "dir": "ltr"},
    )


def not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("The date cannot be in the future."))


def not_before_1900(form, field):
    if field.data and field.data.year < 1900:
        raise ValidationError(_l("Check the year: the date is too long ago."))


def national_id(form, field):
    """A Norwegian fødselsnummer or D-number, with both check digits right."""
    if not field.data:
        return
    if validation.national_id_birth_date(field.data) is None:
        raise ValidationError(
            _l("Enter a valid fødselsnummer or D-number: 11 digits. Check that no digit is wrong.")
        )
    field.data = validation.compact_number(field.data)


def duf_number(form, field):
    if not field.data:
        return
    if not validation.is_duf_number(field.data):
        raise ValidationError(_l("A DUF number has 12 digits. Check the number in your papers."))
    field.data = validation.compact_number(field.data)


def phone_number(form, field):
    """Any valid phone number; Norwegian when it has no country code. Stored in E.164."""
    if not field.data:
        return
    parsed = validation.parse_phone(field.data)
    if parsed is None:
        raise ValidationError(
            _l(
                "Enter a valid phone number. Numbers from other countries start with + and the country code."
            )
        )
    field.data = parsed


def latin_name(form, field):
    if field.data and not validation.is_latin_name(field.data):
        raise ValidationError(_l("Write the name with Latin letters (A–Z), as in the passport."))


def any_script_name(form, field):
    if field.data and not validation.is_name(field.data):
        raise ValidationError(_l("A name can only have letters, spaces, hyphens and apostrophes."))


def select_choices(*forms) -> None:
    """Choices built as (value, label) pairs become SelectChoice, which WTForms 3.4 requires."""
    for form in forms:
        for field in form:
            choices = getattr(field, "choices", None)
            if isinstance(choices, list):
                field.choices = [
                    c if isinstance(c, SelectChoice) else SelectChoice(*c) for c in choices
                ]
