"""Forms of the queue and the case page. Choices that depend on the case or the person are set
by the view before validation."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.cases.workflow import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH
from portal.form_fields import PortalForm


class QueueFilterForm(PortalForm):
    """Filters in the URL (GET), so a filtered queue can be bookmarked and shared with colleagues."""

    class Meta:
        csrf = False

    search = StringField(_l("Reference or name"), validators=[Length(max=100)])
    status = SelectField(_l("Status"), default="open")
    case_type = SelectField(_l("Type"), default="")
    department = SelectField(_l("Department"), default="")
    assignee = SelectField(_l("Assigned to"), default="")
    language = SelectField(_l("Applicant's language"), default="")
    interpreter = BooleanField(_l("Needs an interpreter"))
    overdue = BooleanField(_l("Overdue only"))
    sort = SelectField(_l("Sort by"), default="due")


class StatusForm(PortalForm):
    status = SelectField(_l("New status"), validators=[DataRequired(_l("Choose a status."))])


class AssignForm(PortalForm):
    assignee = SelectField(_l("Assign to"))


class MoveForm(PortalForm):
    department = SelectField(
        _l("Move to department"), validators=[DataRequired(_l("Choose a department."))]
    )


class NoteForm(PortalForm):
    note = TextAreaField(
        _l("Internal note"),
        description=_l("Only staff can read notes. The applicant never sees them."),
        validators=[
            DataRequired(_l("Write the note before you save it.")),
            Length(max=NOTE_MAX_LENGTH, message=_l("The note can be at most %(max)d characters.")),
        ],
    )


class MessageForm(PortalForm):
    message = TextAreaField(
        _l("Message to the applicant"),
        description=_l(
            "The applicant reads this on their status page, exactly as you write it. Write simply; use their language if you can. Do not write ID numbers."
        ),
        validators=[
            DataRequired(_l("Write the message before you send it.")),
            Length(
                max=MESSAGE_MAX_LENGTH, message=_l("The message can be at most %(max)d characters.")
            ),
        ],
    )


class BulkForm(PortalForm):
    action = SelectField(
        _l("With the chosen cases"),
        choices=[
            SelectChoice("assign", _l("Assign to")),
            SelectChoice("status", _l("Change status to")),
        ],
    )
    # Only one of these counts (by `action`); apply_bulk checks the one that does.
    assignee = SelectField(_l("Person"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
