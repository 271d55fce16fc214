"""The applicant's answer on their status page."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from portal.cases.workflow import MESSAGE_MAX_LENGTH
from portal.forms.fields import PortalForm


class AnswerForm(PortalForm):
    answer = TextAreaField(
        _l("Your answer"),
        description=_l(
            "Write in the language you know best. Do not write ID numbers or passwords here."
        ),
        validators=[
            DataRequired(_l("Write your answer before you send it.")),
            Length(
                max=MESSAGE_MAX_LENGTH,
                message=_l("Your answer can be at most %(max)d characters long."),
            ),
        ],
    )
