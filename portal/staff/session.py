"""Who is logged in: Flask-Login with a session version, idle and absolute timeouts, roles."""

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import select

from portal import audit
from portal.audit.models import AuditEntry
from portal.db import get_session
from portal.forms.validation import ascii_number
from portal.staff.models import StaffAccount

login_manager = LoginManager()
login_manager.session_protection = None  # our own checks below; an office's address may change
PENDING_KEY = "staff_pending"  # password checked, second factor not yet
PENDING_SECONDS = 5 * 60
STARTED_KEY, SEEN_KEY = "staff_started", "staff_seen"


@login_manager.user_loader
def _load_account(user_id: str) -> StaffAccount | None:
    """The session holds "id:version": a raised version (logout, deactivation, password change)
    makes every older session worthless, on every worker and host."""
    account_id, _, version = user_id.partition(":")
    account_id, version = ascii_number(account_id), ascii_number(version)
    if account_id is None or version is None:
        return None
    account = get_session().get(StaffAccount, account_id)
    if account is None or not account.active or account.session_version != version:
        return None
    return account


@login_manager.unauthorized_handler
def _to_login():
    return redirect(url_for("staff_auth.login", next=safe_next(request.full_path)))


def safe_next(target: str | None) -> str | None:
    """Only a path on the staff side, never another site (and no control characters, which
    could not go into a Location header)."""
    if not target or not target.isprintable():
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/") or "\\" in target:
        return None
    return target.rstrip("?")


def start_pending(account: StaffAccount) -> None:
    """After the password: a fresh session that only remembers whose second factor is due."""
    session.clear()
    session[PENDING_KEY] = {"id": account.id, "v": account.session_version, "at": int(time.time())}


def pending_account() -> StaffAccount | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    account = get_session().get(StaffAccount, pending.get("id"))
    if account is None or not account.active or account.session_version != pending.get("v"):
        return None
    return account


def start_session(account: StaffAccount) -> None:
    """A new session on login: nothing from before it survives (and a new CSRF token)."""
    session.clear()
    login_user(account)
    now = int(time.time())
    session[STARTED_KEY] = now
    session[SEEN_KEY] = now


def renew_session(account: StaffAccount) -> None:
    """A new session for the person already logged in (their password changed): the absolute
    limit still counts from the login, so renewing cannot stretch a session past it."""
    started = session.get(STARTED_KEY, int(time.time()))
    start_session(account)
    session[STARTED_KEY] = started


def end_session() -> None:
    logout_user()
    session.clear()


def check_session_age() -> None:
    """Before every staff request: end a session idle for too long, or too old."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    config = current_app.config
    started = session.get(STARTED_KEY, 0)
    seen = session.get(SEEN_KEY, 0)
    if (
        now - seen > config["STAFF_IDLE_MINUTES"] * 60
        or now - started > config["STAFF_SESSION_HOURS"] * 3600
    ):
        _audit_expiry(current_user._get_current_object(), started)
        end_session()
        flash(_("You were logged out because the session expired. Log in again."))
        return
    if now - seen >= 30:
        session[SEEN_KEY] = now


def _audit_expiry(account: StaffAccount, started: int) -> None:
    """One entry per expired session: a copy of its cookie sent again must not fill the log."""
    db_session = get_session()
    seen = db_session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "session_expired",
            AuditEntry.actor_id == account.id,
            AuditEntry.target_id == str(started),
        )
    )
    if seen is None:
        audit.record(
            db_session, "session_expired", actor=account, target_type="session", target_id=started
        )
        db_session.commit()


def staff_required(*roles: str):
    """The view needs a logged-in member of staff with one of `roles` (any role when empty)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.must_change_password:
                return redirect(url_for("staff_auth.change_password"))
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app) -> None:
    login_manager.init_app(app)
