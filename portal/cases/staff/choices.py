"""Choices for the queue's and case page's forms, and the columns of the CSV export, in the staff
pages' language."""

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import i18n
from portal.cases.labels import CASE_TYPE_LABELS
from portal.cases.models import CASE_TYPES, STATUSES
from portal.cases.staff.labels import QUEUE_SORTS, STATUS_NAMES
from portal.forms.fields import select_choices
from portal.i18n import languages
from portal.i18n.formatting import format_date
from portal.staff.models import StaffAccount


def department_names() -> dict[str, str]:
    return {d.key: d.name for d in current_app.extensions["profile"].departments}


def _my_departments(account: StaffAccount) -> list[str]:
    keys = list(department_names())
    return keys if account.role == "admin" else [k for k in keys if k in account.departments]


def case_staff_accounts(session: Session, account: StaffAccount) -> list[StaffAccount]:
    """People whose names the queue offers: admins and caseworkers of the viewer's departments
    (looked up once per request)."""
    if "case_staff_accounts" not in g:
        g.case_staff_accounts = _case_staff_accounts(session, account)
    return g.case_staff_accounts


def _case_staff_accounts(session: Session, account: StaffAccount) -> list[StaffAccount]:
    accounts = session.scalars(
        select(StaffAccount)
        .where(StaffAccount.active.is_(True), StaffAccount.role.in_(("admin", "caseworker")))
        .order_by(StaffAccount.name)
    ).all()
    mine = set(_my_departments(account))
    return [a for a in accounts if a.role == "admin" or mine & set(a.departments)]


def fill_filter_form(form, session: Session, account: StaffAccount) -> None:
    names = department_names()
    form.status.choices = [("open", _("Open (not finished)")), ("all", _("All"))] + [
        (code, STATUS_NAMES[code]) for code in STATUSES
    ]
    form.case_type.choices = [("", _("All types"))] + [(t, CASE_TYPE_LABELS[t]) for t in CASE_TYPES]
    form.department.choices = [("", _("All my departments"))] + [
        (key, names[key]) for key in _my_departments(account)
    ]
    form.assignee.choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))] + [
        (str(a.id), a.name) for a in case_staff_accounts(session, account) if a.id != account.id
    ]
    form.language.choices = [("", _("All languages"))] + [
        (locale.code, f"{locale.name} ({locale.english})") for locale in i18n.locales()
    ]
    form.sort.choices = list(QUEUE_SORTS.items())
    select_choices(form)


def fill_bulk_form(form, session: Session, account: StaffAccount) -> None:
    form.assignee.choices = [("none", _("Nobody"))] + [
        (str(a.id), a.name) for a in case_staff_accounts(session, account)
    ]
    form.status.choices = [(code, STATUS_NAMES[code]) for code in STATUSES if code != "received"]
    select_choices(form)


def export_header() -> list[str]:
    return [
        _("Reference"), _("Type"), _("Status"), _("Department"), _("Assigned to"),
        _("Applicant"), _("Applicant's language"), _("Interpreter"), _("Received"), _("Due date"),
    ]  # fmt: skip


def export_row(case) -> list:
    names = department_names()
    locale = i18n.get_locale_by_code(case.locale)
    return [
        case.reference, CASE_TYPE_LABELS.get(case.type, case.type), STATUS_NAMES[case.status],
        names.get(case.department, case.department), case.assignee.name if case.assignee else "",
        case.applicant_name or "", locale.english if locale else case.locale,
        languages.for_staff(case.interpreter_language), format_date(case.created_at, "short"), case.due_date.isoformat(),
    ]  # fmt: skip
