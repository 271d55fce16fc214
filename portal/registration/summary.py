"""The "check your answers" page: every answer with its question and a change link."""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from wtforms import BooleanField, RadioField, SelectField

from portal.forms.fields import LocalDateField
from portal.forms.validation import format_phone
from portal.i18n.formatting import format_date
from portal.registration import forms, services
from portal.registration.steps import SIMPLE_STEPS
from portal.registration.urls import step_url


@dataclass
class Row:
    question: str
    answer: str
    change_url: str
    ltr: bool = False  # numbers, phones and e-mail addresses keep their order in RTL text


@dataclass
class Section:
    heading: str
    rows: list[Row]
    remove_position: int | None = None


LTR_FIELDS = {"national_id", "phone", "duf_number", "email"}


def _display(field) -> str:
    data = field.data
    if data in (None, "", False):
        return _("Not given")
    if isinstance(field, RadioField | SelectField):
        return str(next((c.label for c in field.iter_choices() if c.value == data), data))
    if isinstance(field, LocalDateField) and isinstance(data, date):
        return format_date(data, "long")
    if isinstance(field, BooleanField):
        return _("Yes")
    if field.name == "phone":
        return format_phone(data)
    return str(data)


def _anchor(field) -> str:
    """Where a change link lands: the field, or the first choice of a radio question."""
    return f"{field.id}-0" if isinstance(field, RadioField) else field.id


def _rows(form, change_url: str) -> list[Row]:
    return [
        Row(str(field.label.text), _display(field), f"{change_url}?return=check#{_anchor(field)}",
            field.name in LTR_FIELDS and bool(field.data))
        for field in form
        if field.name != "csrf_token" and not _unasked(field)
    ]  # fmt: skip


def _unasked(field) -> bool:
    """ "Another language" is only an answer when the list's "another language" was chosen."""
    return field.name == "interpreter_language_other" and not field.data


def sections(draft) -> list[Section]:
    """The answers in the order they were asked."""
    result = []
    for key, step in SIMPLE_STEPS.items():
        form = step.form(formdata=None, data=services.answers(draft, key), meta={"csrf": False})
        result.append(Section(str(step.heading), _rows(form, step_url(key))))
    for position, member in enumerate(services.members(draft)):
        form = forms.FamilyMemberForm(formdata=None, data=member, meta={"csrf": False})
        url = url_for("registration.family_member", position=position)
        heading = _("Family member %(number)d", number=position + 1)
        result.insert(3 + position, Section(heading, _rows(form, url), remove_position=position))
    return result


def submitted_sections(answers: dict) -> list[Section]:
    """A submitted registration's answers as readable sections (for the staff's case page)."""
    result = []
    for key, step in SIMPLE_STEPS.items():
        form = step.form(formdata=None, data=answers.get(key) or {}, meta={"csrf": False})
        result.append(Section(str(step.heading), _rows(form, "")))
    for position, member in enumerate(answers.get("family_members") or []):
        form = forms.FamilyMemberForm(formdata=None, data=member, meta={"csrf": False})
        heading = _("Family member %(number)d", number=position + 1)
        result.insert(3 + position, Section(heading, _rows(form, "")))
    return result
