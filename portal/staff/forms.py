"""Forms for logging in and looking after one's own account."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.forms.fields import PortalForm


class LoginForm(PortalForm):
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "type": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(PortalForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6 digits from your authenticator app, or one of your recovery codes."),
        validators=[DataRequired(_l("Enter the code.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class EnrolForm(PortalForm):
    code = StringField(
        _l("Code from the app"),
        description=_l("The 6 digits the app shows now."),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class PasswordChangeForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A few words you can remember are a good choice."),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    repeat_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ConfirmForm(PortalForm):
    """A button that changes something: only the CSRF token."""


PASSWORD_PROBLEMS = {
    "short": _l("The password needs at least 12 characters."),
    "common": _l("This password is too common. Choose a longer phrase of your own."),
    "personal": _l("The password must not contain your name or email address."),
    "same": _l("Choose a new password, not the one you have now."),
}
