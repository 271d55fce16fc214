"""Switching language on a page with a form, without losing what was typed.

On such a page the picker's languages are buttons of the page's form (templates/
_language_picker.html): each sends the form to the same page under the new language's prefix,
with switch_language=<code>. The view asks switching_language(form) before it validates: when it
is True, it shows the form again with what was sent, in the new language, unchecked and unsaved
(nothing is stored that the person has not sent with "Continue"). The form's CSRF token is
checked first; a request without a good one is an ordinary submission, which the form refuses
with its "the form expired" message while keeping the text.
"""

from flask import after_this_request, current_app, request
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from portal.i18n import current_locale
from portal.security import private_cookie

SWITCH_FIELD = "switch_language"


def switching_language(form) -> bool:
    """True when the language picker sent this form (and its CSRF token is good); the language
    is remembered as the picker's links remember it."""
    if request.method != "POST" or not request.form.get(SWITCH_FIELD):
        return False
    if form.meta.csrf:
        try:
            validate_csrf(request.form.get(form.meta.csrf_field_name))
        except ValidationError:
            return False
    after_this_request(_remember_language)
    return True


def _remember_language(response):
    config = current_app.config
    response.set_cookie(
        **private_cookie(
            config["LANGUAGE_COOKIE"], current_locale().code, config["LANGUAGE_COOKIE_MAX_AGE"]
        )
    )
    return response
