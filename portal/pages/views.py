"""Public pages: language negotiation at /, the home page, information pages, the picker."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from portal import i18n
from portal.i18n import languages
from portal.pages import services
from portal.pages.cache import cached_page
from portal.pages.content import SLUGS
from portal.profile import get_profile
from portal.security import private_cookie

bp = Blueprint("pages", __name__)
# A stored interpreter language (a tag, or text typed before there was a list): in the reader's
# language on a person's pages, with its tag on staff pages.
bp.add_app_template_filter(languages.readable, "language_name")
bp.add_app_template_filter(languages.for_staff, "language_for_staff")


def _library():
    return current_app.extensions["pages"]


@bp.get("/")
def root():
    """Send the visitor to their language: cookie, then Accept-Language, then Norwegian."""
    code = i18n.negotiate(i18n.request_language_cookie(), request.accept_languages)
    response = redirect(url_for("pages.home", lang=code))
    response.vary.update(("Cookie", "Accept-Language"))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<lang>/")
@cached_page
def home():
    locale = i18n.current_locale()
    topics = [_library().get(locale.gettext, slug) for slug in SLUGS]
    return render_template("pages/home.html", topics=topics)


@bp.get("/<lang>/<slug>")
@cached_page
def show_page(slug):
    locale = i18n.current_locale()
    page = _library().get(locale.gettext, slug)
    if page is None:
        abort(404)
    body = services.fill_placeholders(page.body_html, get_profile())
    return render_template("pages/page.html", page=page, body=body)


@bp.get("/language/<code>")
def choose_language(code):
    """Remember the chosen language and show the same page in it (works without JavaScript)."""
    if i18n.get_locale_by_code(code) is None:
        abort(404)
    target = services.path_in_other_language(request.args.get("next"), code)
    response = redirect(target)
    config = current_app.config
    response.set_cookie(
        **private_cookie(config["LANGUAGE_COOKIE"], code.lower(), config["LANGUAGE_COOKIE_MAX_AGE"])
    )
    return response
