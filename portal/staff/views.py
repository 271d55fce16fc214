"""Logging in (password, then a TOTP or recovery code), enrolment, logging out, one's account."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.db import get_session
from portal.profile import clock
from portal.security import private_cookie
from portal.security.limits import limiter, login_limit
from portal.staff import services, signin, totp
from portal.staff import session as staff_session
from portal.staff.forms import (
    PASSWORD_PROBLEMS,
    CodeForm,
    ConfirmForm,
    EnrolForm,
    LoginForm,
    PasswordChangeForm,
)
from portal.staff.locale import COOKIE, COOKIE_MAX_AGE, STAFF_LOCALES, staff_blueprint

bp = staff_blueprint("staff_auth", __name__, "/staff")
NEXT_STEP = {"code": ".second_factor", "enrol": ".enrol"}
HOME_BY_ROLE = {
    "admin": "staff_cases.queue",
    "caseworker": "staff_cases.queue",
    "reception": "staff_desk.day_list",
}


def _login_failed_message() -> str:
    return _(
        "The email address or password is wrong, or the account is locked after too many "
        "attempts. Wait %(minutes)d minutes and try again, or ask an administrator.",
        minutes=current_app.config["STAFF_LOCKOUT_MINUTES"],
    )


def _signed_in(step: signin.Step):
    """A new session, then the page they wanted. A message is flashed into the new session (the
    old one, and what was flashed into it, is cleared)."""
    wanted = staff_session.safe_next(request.args.get("next"))
    staff_session.start_session(step.account)
    if step.recovery_codes_left is not None:
        flash(_("You used a recovery code. %(left)d are left: make new ones on your account page.",
                left=step.recovery_codes_left))  # fmt: skip
    return redirect(wanted or url_for(HOME_BY_ROLE[step.account.role]))


def _status(form, problem: str | None) -> int:
    """401 for a refused login, 400 for a form with errors (an empty field), else 200."""
    return 401 if problem else 400 if form.errors else 200


def _with_next(endpoint: str) -> str:
    return url_for(endpoint, next=staff_session.safe_next(request.args.get("next")))


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for(".login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(HOME_BY_ROLE[current_user.role]))
    form, problem = LoginForm(), None
    if form.validate_on_submit():
        step = signin.password(get_session(), form.email.data, form.password.data, clock.now())
        if step.outcome == "signed_in":
            return _signed_in(step)
        if step.outcome in NEXT_STEP:
            staff_session.start_pending(step.account)
            return redirect(_with_next(NEXT_STEP[step.outcome]))
        problem = _login_failed_message()
    form.password.data = ""
    return render_template("staff/auth/login.html", form=form, problem=problem), _status(
        form, problem
    )


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def second_factor():
    account = staff_session.pending_account()
    if account is None or not account.totp_enrolled:
        flash(_("Log in again: the page waited too long."))
        return redirect(_with_next(".login"))
    form, problem = CodeForm(), None
    if form.validate_on_submit():
        code = totp.normalise_code(form.code.data)
        step = signin.second_factor(get_session(), account, code, clock.now())
        if step.outcome == "signed_in":
            return _signed_in(step)
        if step.outcome == "locked":
            staff_session.end_session()
            flash(_login_failed_message())
            return redirect(_with_next(".login"))
        problem = _("The code is wrong or was already used. Type the newest code from the app.")
    form.code.data = ""
    return render_template("staff/auth/code.html", form=form, problem=problem), _status(
        form, problem
    )


def _enrolling_account():
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return staff_session.pending_account()


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def enrol():
    """Set up the authenticator app: scan the code, type the first number it shows."""
    account = _enrolling_account()
    if account is None:
        flash(_("Log in again: the page waited too long."))
        return redirect(_with_next(".login"))
    if account.totp_enrolled:
        # Logged in and set up already: a visit here must not replace the working secret (the
        # next login would then enrol whatever phone scans the new one). Lost phones: an admin
        # resets the second factor.
        if current_user.is_authenticated:
            return redirect(url_for(".account"))
        return redirect(_with_next(".second_factor"))
    session = get_session()
    form, problem = EnrolForm(), None
    if form.validate_on_submit():
        codes = signin.confirm_enrolment(session, account, form.code.data, clock.now())
        if codes is not None:
            if current_user.is_authenticated:
                return render_template(
                    "staff/auth/recovery_codes.html", codes=codes, continue_url=url_for(".account")
                )
            response = _signed_in(signin.sign_in_after_enrolment(session, account, clock.now()))
            return render_template(
                "staff/auth/recovery_codes.html", codes=codes, continue_url=response.location
            )
        problem = _(
            "The code does not match. Check the time on your phone and type the newest code."
        )
    secret = signin.start_enrolment(session, account)
    uri = totp.provisioning_uri(
        secret, account.email, issuer=current_app.extensions["profile"].service_name
    )
    return render_template(
        "staff/auth/enrol.html",
        form=form,
        problem=problem,
        qr_svg=totp.qr_svg(uri, _("QR code for your authenticator app")),
        secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)],
    ), (400 if problem else 200)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated and ConfirmForm().validate_on_submit():
        signin.log_out(get_session(), current_user._get_current_object())
        staff_session.end_session()
        flash(_("You are logged out."))
    return redirect(url_for(".login"))


@bp.get("/account")
@staff_session.staff_required()
def account():
    return render_template(
        "staff/auth/account.html",
        unused_codes=services.unused_recovery_codes(get_session(), current_user),
        confirm=ConfirmForm(),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def change_password():
    if not current_user.is_authenticated:
        return staff_session.login_manager.unauthorized()
    account = current_user._get_current_object()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        problem = signin.change_password(get_session(), account, form.current_password.data,
                                         form.new_password.data, clock.now())  # fmt: skip
        if problem is None:
            staff_session.renew_session(account)  # the new version; other sessions end
            flash(_("Your password is changed."))
            return redirect(url_for(".account"))
        if problem == "current_password":
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            form.new_password.errors.append(PASSWORD_PROBLEMS[problem])
    for field in (form.current_password, form.new_password, form.repeat_password):
        field.data = ""
    return render_template("staff/auth/password.html", form=form), (400 if form.errors else 200)


@bp.post("/account/recovery-codes")
@staff_session.staff_required()
def renew_recovery_codes():
    form = ConfirmForm()
    if not form.validate_on_submit() or not current_user.totp_enrolled:
        return redirect(url_for(".account"))
    codes = signin.renew_recovery_codes(get_session(), current_user._get_current_object())
    return render_template(
        "staff/auth/recovery_codes.html", codes=codes, continue_url=url_for(".account")
    )


@bp.get("/language/<code>")
def choose_language(code: str):
    """Norsk or English for the staff pages; back to the page the link was on."""
    if code not in STAFF_LOCALES:
        return redirect(url_for(".home"))
    response = redirect(staff_session.safe_next(request.args.get("next")) or url_for(".home"))
    response.set_cookie(**private_cookie(COOKIE, code, COOKIE_MAX_AGE))
    return response
