"""Forms of the queue and the case page. Choices that depend on the case or the person are set
by the view before validation."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.cases.staff.labels import STATUS_ACTIONS
from portal.cases.workflow import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, allowed_statuses
from portal.forms.fields import PortalForm, select_choices


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


def case_page_forms(case, assignable, department_names: dict, posted: dict | None = None) -> dict:
    """The case page's five forms with their choices (a form just posted, with mistakes,
    replaces its empty twin)."""
    status = StatusForm(formdata=None)
    assign = AssignForm(formdata=None, data={"assignee": str(case.assignee_id or "")})
    move = MoveForm(formdata=None, data={"department": case.department})
    forms = {"status": status, "assign": assign, "move": move,
             "note": NoteForm(formdata=None), "message": MessageForm(formdata=None)}  # fmt: skip
    forms.update(posted or {})
    set_choices(forms, case, assignable, department_names)
    return forms


def posted_form(action: str, case, assignable, department_names: dict):
    """The form of one action, as posted, with its choices."""
    form = {"status": StatusForm, "assign": AssignForm, "move": MoveForm, "note": NoteForm,
            "message": MessageForm}[action]()  # fmt: skip
    set_choices({action: form}, case, assignable, department_names)
    return form


def set_choices(forms: dict, case, assignable, department_names: dict) -> None:
    if "status" in forms:
        forms["status"].status.choices = [
            (code, STATUS_ACTIONS[code]) for code in allowed_statuses(case)
        ]
    if "assign" in forms:
        forms["assign"].assignee.choices = [("", _("Nobody"))] + [
            (str(a.id), a.name) for a in assignable
        ]
    if "move" in forms:
        forms["move"].department.choices = list(department_names.items())
    select_choices(*forms.values())


class RoutingForm(PortalForm):
    """Where new cases of one type go (choices: the profile's departments, set by the view)."""

    department = SelectField(
        _l("Department"), validators=[InputRequired(_l("Choose a department."))]
    )
    due_in_days = IntegerField(
        _l("Days to handle a case"),
        description=_l("From the day the case arrives. Between 1 and 365."),
        validators=[
            InputRequired(_l("Write the number of days.")),
            NumberRange(min=1, max=365, message=_l("Write a number of days between 1 and 365.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
