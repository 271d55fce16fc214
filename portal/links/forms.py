"""The get-my-link-again form: a reference (optional for a saved registration) and the phone
number or e-mail address the person gave."""

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import DataRequired, Length

from portal import references, validation
from portal.form_fields import CleanStringField, PortalForm


class LinkAgainForm(PortalForm):
    reference = CleanStringField(
        _l("Reference number"),
        description=_l(
            "As in your message or receipt, for example FG-7K3M-Q9TD or TB-7K3M-Q9TD. "
            "Leave it empty for a registration you saved but did not send."
        ),
        validators=[Length(max=30, message=_l("Use at most %(max)d characters."))],
        render_kw={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"},
    )
    contact = CleanStringField(
        _l("The phone number or e-mail address you gave us"),
        validators=[
            DataRequired(_l("Write the phone number or e-mail address you gave us.")),
            Length(max=254, message=_l("Use at most %(max)d characters.")),
        ],
        render_kw={"dir": "ltr", "autocomplete": "tel"},
    )

    def validate_reference(self, field):
        if field.data and references.normalise(field.data) is None:
            raise ValidationError(
                _l("Write the reference as it is in your message, for example FG-7K3M-Q9TD.")
            )

    def validate_contact(self, field):
        if field.data and validation.parse_contact(field.data) is None:
            raise ValidationError(
                _l(
                    "Write a phone number (numbers from other countries start with + and the "
                    "country code) or an e-mail address, like name@example.com."
                )
            )

    @property
    def normalised_reference(self) -> str | None:
        return references.normalise(self.reference.data) if self.reference.data else None

    @property
    def parsed_contact(self) -> tuple[str, str] | None:
        return validation.parse_contact(self.contact.data or "")
