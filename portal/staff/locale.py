"""Staff pages speak Norwegian bokmål or English, chosen by a cookie (Norwegian by default)."""

from flask import Blueprint, g, make_response, render_template, request

from portal import i18n
from portal.security import no_store
from portal.staff import session as staff_session

STAFF_LOCALES = ("nb", "en")
COOKIE = "staff_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
URL_PREFIX = "/staff"


def staff_locale_code() -> str:
    code = request.cookies.get(COOKIE)
    return code if code in STAFF_LOCALES else "nb"


def _before_staff_request():
    i18n.use_locale(i18n.get_locale_by_code(staff_locale_code()))
    g.staff_page = True
    staff_session.check_session_age()


def staff_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint for staff pages: their language, session checks, never cached."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.before_request(_before_staff_request)
    bp.after_request(no_store)
    bp.register_error_handler(403, _staff_error)
    bp.register_error_handler(404, _staff_error)
    return bp


def _staff_error(error):
    """Refusals inside the staff pages in the staff layout and language. A case of another
    department answers 404 like a case that does not exist."""
    if not g.get("staff_page"):  # the request failed before our before_request ran
        _before_staff_request()
    return render_template(f"staff/errors/{error.code}.html"), error.code


def staff_address_error(error):
    """A mistyped address under /staff/ matches no staff page, so no staff blueprint sees it:
    the application's error handler asks here first (app.extensions["error_pages"]). Not found,
    forbidden, and an address that only takes a form's POST (/staff/cases/<ref>/<typo>) get the
    staff 404 page, never cached; other errors are left to the public pages."""
    if error.code not in (403, 404, 405):
        return None
    if not g.get("staff_page"):
        _before_staff_request()
    template = "staff/errors/403.html" if error.code == 403 else "staff/errors/404.html"
    response = no_store(make_response(render_template(template), error.code))
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
