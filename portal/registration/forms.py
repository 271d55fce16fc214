"""One form per step of the family-reunification registration."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal import i18n
from portal.forms.fields import (
    CleanStringField,
    LocalDateField,
    PortalForm,
    any_script_name,
    duf_number,
    email_field,
    latin_name,
    national_id,
    not_before_1900,
    not_in_future,
    phone_field,
)
from portal.i18n import languages as language_list
from portal.profile import clock

NAME_MAX = 200


def options(*pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


REQUIRED_CHOICE = _l("Choose one of the answers.")
YES_NO = options(("yes", _l("Yes")), ("no", _l("No")))


def required(message):
    return InputRequired(message=message)


def length(maximum):
    return Length(max=maximum, message=_l("Use at most %(max)d characters."))


class EligibilityForm(PortalForm):
    lived_here_under_five_years = RadioField(
        _l("Has the person you came to join lived in the municipality for less than five years?"),
        invalid_choice_message=REQUIRED_CHOICE,
        choices=options(
            ("yes", _l("Yes")),
            ("no", _l("No, five years or more")),
            ("unsure", _l("I am not sure")),
        ),
        validators=[required(REQUIRED_CHOICE)],
    )
    group = RadioField(
        _l("Which of these describes the person you came to join?"),
        invalid_choice_message=REQUIRED_CHOICE,
        choices=options(
            ("refugee", _l("They have refugee status, or a residence permit on other grounds")),
            ("resettlement", _l("They came to Norway as a resettlement refugee (quota refugee)")),
            ("unaccompanied_minor", _l("They are, or were, an unaccompanied minor in the care of child welfare services")),
            ("none", _l("None of these")),
            ("unknown", _l("I do not know")),
        ),
        validators=[required(REQUIRED_CHOICE)],
    )  # fmt: skip

    def eligible(self) -> bool:
        return self.lived_here_under_five_years.data != "no" and self.group.data != "none"


class RegistrantForm(PortalForm):
    role = RadioField(
        _l("Who is filling in this registration?"),
        invalid_choice_message=REQUIRED_CHOICE,
        choices=options(
            ("self", _l("I am the family member who has come (or will come) to Norway")),
            ("relative", _l("I am a relative")),
            ("helper", _l("I am helping someone, for example as a volunteer or at work")),
        ),
        validators=[required(REQUIRED_CHOICE)],
    )
    name = CleanStringField(
        _l("Your full name"),
        description=_l("As you usually write it, in any language and script."),
        validators=[DataRequired(_l("Write your name, so we know who to contact.")), length(NAME_MAX), any_script_name],
        render_kw={"autocomplete": "name"},
    )  # fmt: skip
    passport_name = CleanStringField(
        _l("Your name as written in the passport"),
        # i18n: "the family member" is the person who has come, or will come, to Norway.
        description=_l("With Latin letters (A–Z), exactly as in the passport or travel document. Only if you are the family member who has come, or will come, to Norway."),
        # No Optional(): it would stop the chain before validate_passport_name can require it.
        validators=[length(NAME_MAX), latin_name],
        render_kw={"autocomplete": "name"},
    )  # fmt: skip

    def validate_passport_name(self, field):
        if self.role.data == "self" and not field.data:
            raise ValidationError(_l("Write your name as in the passport."))


class ReferencePersonForm(PortalForm):
    full_name = CleanStringField(
        _l("Full name"),
        validators=[DataRequired(_l("Write the full name.")), length(NAME_MAX), any_script_name],
    )
    national_id = CleanStringField(
        _l("Fødselsnummer or D-number"),
        description=_l("11 digits. You find it on the residence card or in letters from NAV or the tax office."),
        validators=[DataRequired(_l("Write the fødselsnummer or D-number.")), length(20), national_id],
        render_kw={"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"},
    )  # fmt: skip
    phone = phone_field(_l("Phone number (optional)"), required=False)
    address = CleanStringField(
        _l("Address in the municipality"),
        validators=[DataRequired(_l("Write the address.")), length(200)],
    )
    settled_on = LocalDateField(
        _l("Date they were settled in the municipality"),
        description=_l("If you do not know the exact day, write the first day of the month."),
        validators=[DataRequired(_l("Write the date.")), not_in_future, not_before_1900],
    )

    def validate_settled_on(self, field):
        if field.data and field.data < clock.today() - timedelta(days=5 * 365 + 1):
            raise ValidationError(
                _l("This is more than five years ago. The follow-up is for families of people who have lived here for less than five years. Call us if you are unsure.")
            )  # fmt: skip


RELATIONSHIPS = options(
    ("", _l("Choose")),
    ("spouse", _l("Spouse or partner")),
    ("child", _l("Child")),
    ("parent", _l("Parent")),
    ("sibling", _l("Brother or sister")),
    ("other", _l("Other family")),
)


def citizenship_choices() -> list[SelectChoice]:
    """Countries named in the reader's language (Babel/CLDR), sorted by that name."""
    locale = i18n.current_locale().babel
    countries = [
        (code, name)
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
    ]
    countries.sort(key=lambda item: item[1])
    return options(("", _l("Choose")), ("stateless", _l("Stateless")), *countries)


class FamilyMemberForm(PortalForm):
    passport_name = CleanStringField(
        _l("Name as written in the passport"),
        description=_l("With Latin letters (A–Z), exactly as in the passport or travel document."),
        validators=[DataRequired(_l("Write the name as in the passport.")), length(NAME_MAX), latin_name],
    )  # fmt: skip
    native_name = CleanStringField(
        _l("Name in their own language and script (optional)"),
        validators=[Optional(), length(NAME_MAX), any_script_name],
    )
    birth_date = LocalDateField(
        _l("Date of birth"),
        validators=[DataRequired(_l("Write the date of birth.")), not_in_future, not_before_1900],
    )
    relationship = SelectField(
        _l("Relationship to the person they came to join"),
        invalid_choice_message=REQUIRED_CHOICE,
        choices=RELATIONSHIPS,
        validators=[DataRequired(_l("Choose the relationship."))],
    )
    citizenship = SelectField(
        _l("Citizenship"),
        invalid_choice_message=REQUIRED_CHOICE,
        validators=[DataRequired(_l("Choose the citizenship."))],
    )
    duf_number = CleanStringField(
        _l("DUF number (optional)"),
        description=_l("12 digits, on letters from UDI."),
        validators=[Optional(), length(20), duf_number],
        render_kw={"inputmode": "numeric", "dir": "ltr"},
    )
    national_id = CleanStringField(
        _l("Fødselsnummer or D-number (optional)"),
        description=_l("Only if they already have one."),
        validators=[Optional(), length(20), national_id],
        render_kw={"inputmode": "numeric", "dir": "ltr"},
    )
    arrival_date = LocalDateField(
        _l("Date of arrival in Norway"),
        description=_l("If they have not come yet, write the date you expect."),
        validators=[DataRequired(_l("Write the date of arrival.")), not_before_1900],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizenship.choices = citizenship_choices()

    def validate_arrival_date(self, field):
        if field.data and field.data > clock.today() + timedelta(days=2 * 365):
            raise ValidationError(_l("The date is too far in the future. Check the year."))


class PermitForm(PortalForm):
    application_date = LocalDateField(
        _l("Date the application for family immigration was sent"),
        validators=[DataRequired(_l("Write the date of the application.")), not_in_future, not_before_1900],
    )  # fmt: skip
    permit_date = LocalDateField(
        _l("Date of the residence permit"),
        description=_l("The date on the decision from UDI."),
        validators=[
            DataRequired(_l("Write the date of the permit.")),
            not_in_future,
            not_before_1900,
        ],
    )

    def validate_permit_date(self, field):
        start = self.application_date.data
        if field.data and start and field.data < start:
            raise ValidationError(_l("The permit cannot be dated before the application."))


class LanguageForm(PortalForm):
    languages = CleanStringField(
        _l("Which languages do you speak?"),
        description=_l("For example: Arabic, English."),
        validators=[DataRequired(_l("Write at least one language.")), length(200)],
    )
    interpreter_needed = RadioField(
        _l("Do you need an interpreter when you talk to us?"),
        invalid_choice_message=REQUIRED_CHOICE,
        choices=YES_NO,
        validators=[required(REQUIRED_CHOICE)],
    )
    # The same list as the booking form's (portal/i18n/languages.py), stored as a language tag.
    interpreter_language = language_list.interpreter_language_field()
    interpreter_language_other = language_list.other_language_field()
    interpreter_dialect = CleanStringField(
        _l("Dialect (optional)"),
        validators=[Optional(), length(100)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language_list.prepare(self)

    def validate_interpreter_language(self, field):
        language_list.check_choice(self)

    def validate_interpreter_language_other(self, field):
        language_list.check_other(self)


class ContactForm(PortalForm):
    phone = phone_field()
    email = email_field()
    preferred_channel = RadioField(
        _l("How do you want us to contact you?"),
        invalid_choice_message=REQUIRED_CHOICE,
        choices=options(
            ("sms", _l("Text message (SMS)")),
            ("call", _l("Phone call")),
            ("email", _l("Email")),
        ),
        validators=[required(REQUIRED_CHOICE)],
    )

    def validate_preferred_channel(self, field):
        if field.data == "email" and not self.email.data:
            raise ValidationError(_l("Write your email address above, or choose another way."))


class SubmitForm(PortalForm):
    confirm = BooleanField(
        _l("I have read how my information will be used, and the answers are correct."),
        validators=[DataRequired(_l("Tick the box to confirm before you send."))],
    )


class DeleteDraftForm(PortalForm):
    """The "Yes, delete everything" of the question page: its button sends confirm=yes; a POST
    without it (an old page's button, a stray request) deletes nothing."""

    confirm = HiddenField()


class RemoveMemberForm(PortalForm):
    """Which saved family member the confirmation page showed (the id of its row): a second
    tap, after the list has moved up, does not remove the next person."""

    member = HiddenField()


SEND_LINK_REFUSED = {
    "draft_limit": _l(
        "The link has already been sent to three different numbers or addresses. Send it to "
        "one of them, or call us."
    ),
    "recipient_limit": _l(
        "We have sent enough messages to this number or address today. Try again tomorrow."
    ),
    "paused": _l("We cannot send messages right now. Try again in an hour, or call us."),
}


class SendLinkForm(PortalForm):
    """The saved registration's link by SMS or e-mail, when the person asks for it."""

    phone = phone_field(required=False)
    email = email_field()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and not (self.phone.data or self.email.data):
            self.phone.errors.append(_l("Write a phone number or an email address."))
            return False
        return valid
