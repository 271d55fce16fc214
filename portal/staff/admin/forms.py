"""Forms of the administration pages: staff accounts and the audit log's filters."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from portal.audit.services import ACTIONS
from portal.forms.fields import CleanStringField, LocalDateField, PortalForm
from portal.staff.admin.services import ACTION_LABELS
from portal.staff.labels import ROLE_LABELS
from portal.staff.models import ROLES

CHOOSE_ROLE = _l("Choose a role.")


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=_l("Use at most %(max)d characters."))


# Made before the other fields so that it comes first in the form (and its error summary).
EMAIL = CleanStringField(
    _l("Email address"),
    description=_l("The person logs in with this address."),
    validators=[
        DataRequired(_l("Write the person's email address.")),
        _length(254),
        Email(_l("Write a valid email address, like name@example.com.")),
    ],
    render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false", "dir": "ltr"},
)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (rendered by the checkboxes macro of _macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountDetailsForm(PortalForm):
    """Name, role and departments: what an administrator may change on an account."""

    name = CleanStringField(
        _l("Name"),
        validators=[DataRequired(_l("Write the person's name.")), _length(200)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = RadioField(
        _l("Role"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        invalid_choice_message=CHOOSE_ROLE,
        validators=[InputRequired(CHOOSE_ROLE)],
    )
    departments = CheckboxesField(
        _l("Departments"),
        description=_l(
            "A caseworker sees the cases of these departments and needs at least one. "
            "Administrators see everything."
        ),
        invalid_choice_message=_l("Choose departments from the list."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = current_app.extensions["profile"]
        self.departments.choices = [SelectChoice(d.key, d.name) for d in profile.departments]


class NewAccountForm(AccountDetailsForm):
    email = EMAIL


class AuditFilterForm(PortalForm):
    """The audit log's filters, sent with GET (no CSRF token: it changes nothing)."""

    actor = CleanStringField(
        _l("Who (part of the email address)"), validators=[_length(254)], render_kw={"dir": "ltr"}
    )
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("", _l("Any action"))]
        + [SelectChoice(action, ACTION_LABELS[action]) for action in ACTIONS],
        invalid_choice_message=_l("Choose an action from the list."),
        default="",
    )
    target = CleanStringField(
        _l("Target"),
        description=_l("Exactly: a case reference, a booking reference or an account number."),
        validators=[_length(40)],
        render_kw={"dir": "ltr", "spellcheck": "false"},
    )
    first_day = LocalDateField(_l("From date"))
    last_day = LocalDateField(_l("To date"))

    class Meta:
        csrf = False

    def validate_last_day(self, field):
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError(_l("The to-date cannot be before the from-date."))

    def query_args(self) -> dict[str, str]:
        """The filters as typed, for links to other pages of the result."""
        return {
            field.name: field.raw_data[0] for field in self if field.raw_data and field.raw_data[0]
        }


# Rules of portal/staff/services.py and portal/staff/admin.py (StaffAccountError codes): the field
# the message goes beside, and the message.
ACCOUNT_PROBLEMS = {
    "exists": ("email", _l("There is already an account with this email address.")),
    "role": ("role", CHOOSE_ROLE),
    "department": ("departments", _l("Choose departments from the list.")),
    "no_department": ("departments", _l("A caseworker needs at least one department.")),
    "own_role": (
        "role",
        _l("You cannot take away your own administrator role. Ask another administrator."),
    ),
}

# Refusals of the buttons on an account's page.
ACTION_PROBLEMS = {
    "own_account": _l("You cannot deactivate your own account. Ask another administrator."),
    "own_password": _l("Change your own password on your account page."),
}


def show_problem(form: PortalForm, error) -> None:
    """Put a refusal from the services beside the field it is about."""
    field_name, message = ACCOUNT_PROBLEMS[error.code]
    getattr(form, field_name).errors.append(message)
