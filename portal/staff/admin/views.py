"""Administration: staff accounts, the audit log, and the settings that come from the profile."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit
from portal.db import get_session
from portal.notify import admin as notify_admin
from portal.notify.models import OutboxMessage
from portal.staff.admin import services as admin
from portal.staff.admin.forms import (
    ACTION_PROBLEMS,
    AccountDetailsForm,
    AuditFilterForm,
    NewAccountForm,
    show_problem,
)
from portal.staff.forms import ConfirmForm
from portal.staff.locale import staff_blueprint
from portal.staff.services import StaffAccountError
from portal.staff.session import staff_required

bp = staff_blueprint("staff_admin", __name__, "/staff/admin")


def _account_or_404(account_id: int):
    account = admin.load_account(get_session(), account_id)
    if account is None:
        abort(404)
    return account


def _actor():
    return current_user._get_current_object()


@bp.get("/accounts/")
@staff_required("admin")
def accounts():
    return render_template("staff/admin/accounts.html", accounts=admin.list_accounts(get_session()))


@bp.route("/accounts/new", methods=["GET", "POST"])
@staff_required("admin")
def new_account():
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            account, password = admin.create_account(
                get_session(),
                current_app.extensions["profile"],
                _actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                departments=form.departments.data,
            )
        except StaffAccountError as error:
            show_problem(form, error)
        else:
            # Shown once, on this response only (staff pages are never cached).
            return render_template(
                "staff/admin/password.html", account=account, password=password, created=True
            )
    return render_template("staff/admin/new.html", form=form), (400 if form.errors else 200)


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@staff_required("admin")
def account(account_id: int):
    account = _account_or_404(account_id)
    form = AccountDetailsForm(obj=account)
    if form.validate_on_submit():
        try:
            changed = admin.change_account(
                get_session(),
                current_app.extensions["profile"],
                _actor(),
                account,
                name=form.name.data,
                role=form.role.data,
                departments=form.departments.data,
            )
        except StaffAccountError as error:
            show_problem(form, error)
        else:
            flash(_("The account is changed.") if changed else _("Nothing was changed."))
            return _back_to(account)
    return render_template("staff/admin/account.html", account=account, form=form), (
        400 if form.errors else 200
    )


REFUSED = object()  # a button's action did not happen (the reason is flashed)


def _account_action(account_id: int, action):
    """A button on an account's page: (the account, what `action` returned, or REFUSED)."""
    account = _account_or_404(account_id)
    if not ConfirmForm().validate_on_submit():  # CSRFProtect checks first; this fails closed
        flash(_("For your safety, the form expired. Try again."))
        return account, REFUSED
    try:
        return account, action(account)
    except StaffAccountError as error:
        flash(ACTION_PROBLEMS[error.code])
        return account, REFUSED


def _back_to(account):
    return redirect(url_for(".account", account_id=account.id))


@bp.post("/accounts/<int:account_id>/deactivate")
@staff_required("admin")
def deactivate(account_id: int):
    account, done = _account_action(
        account_id, lambda a: admin.set_active(get_session(), _actor(), a, False)
    )
    if done is True:
        flash(_("The account is deactivated. The person was logged out everywhere."))
    return _back_to(account)


@bp.post("/accounts/<int:account_id>/reactivate")
@staff_required("admin")
def reactivate(account_id: int):
    account, done = _account_action(
        account_id, lambda a: admin.set_active(get_session(), _actor(), a, True)
    )
    if done is True:
        flash(_("The account is active again."))
    return _back_to(account)


@bp.post("/accounts/<int:account_id>/reset-password")
@staff_required("admin")
def reset_password(account_id: int):
    account, password = _account_action(
        account_id, lambda a: admin.reset_password(get_session(), _actor(), a)
    )
    if password is REFUSED:
        return _back_to(account)
    # Shown once, on this response only.
    return render_template("staff/admin/password.html", account=account, password=password)


@bp.post("/accounts/<int:account_id>/reset-authenticator")
@staff_required("admin")
def reset_authenticator(account_id: int):
    account, done = _account_action(
        account_id, lambda a: admin.reset_authenticator(get_session(), _actor(), a)
    )
    if done is not REFUSED:
        flash(_("The authenticator app is reset. The person sets it up again at the next login."))
    return _back_to(account)


@bp.get("/audit/")
@staff_required("admin")
def audit_log():
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render_template("staff/admin/audit.html", form=form, result=None), 400
    wanted = audit.AuditFilter(
        actor=form.actor.data or "",
        action=form.action.data or "",
        target=form.target.data or "",
        first_day=form.first_day.data,
        last_day=form.last_day.data,
    )
    page = request.args.get("page", 1, type=int)
    result = admin.audit_page(get_session(), _actor(), wanted, page)
    return render_template(
        "staff/admin/audit.html",
        form=form,
        result=result,
        query=form.query_args(),
        action_labels=admin.ACTION_LABELS,
        target_labels=admin.TARGET_TYPE_LABELS,
        details_text=admin.details_text,
    )


@bp.get("/outbox/")
@staff_required("admin")
def outbox():
    """Messages by SMS and e-mail: failed ones first (they need someone to look)."""
    page = notify_admin.outbox_page(get_session(), current_user, request.args.get("state", ""))
    return render_template(
        "staff/admin/outbox.html", state=page.state, counts=page.counts, messages=page.messages,
        can_retry=notify_admin.can_retry, confirm=ConfirmForm(),
    )  # fmt: skip


@bp.post("/outbox/<int:message_id>/retry")
@staff_required("admin")
def retry_message(message_id: int):
    if get_session().get(OutboxMessage, message_id) is None:
        abort(404)
    if ConfirmForm().validate_on_submit() and notify_admin.retry(
        get_session(), current_user, message_id
    ):
        flash(_("The message will be sent again within a minute."))
    else:
        flash(_("This message cannot be sent again."))
    return redirect(url_for(".outbox"))
