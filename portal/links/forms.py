"""The get-my-link-again form: a reference (optional for a saved registration) and the phone
number or e-mail address the person gave."""

import re

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import ValidationError
from wtforms.validators import DataRequired, Length

from portal.forms import validation
from portal.forms.fields import CleanStringField, PortalForm
from portal.links import references


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example references read left to right inside right-to-left text.
        self.reference.description = left_to_right_references(str(self.reference.description))

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


REFERENCE_EXAMPLE = re.compile(r"\b(?:FG|TB)-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def left_to_right_references(text: str) -> Markup:
    """The text, escaped, with each reference in it isolated as left-to-right."""
    pieces, last = [], 0
    for found in REFERENCE_EXAMPLE.finditer(text):
        pieces.append(escape(text[last : found.start()]))
        pieces.append(Markup('<bdi dir="ltr" class="reference-inline">%s</bdi>') % found.group())
        last = found.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)
