"""Locale registry, language negotiation and the URL language prefix."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import flask_babel
from babel import Locale
from flask import Flask, abort, current_app, g, request
from flask_babel import Babel
from werkzeug.routing import RequestRedirect

from portal.config import ROOT
from portal.forms.validation import has_control_characters

REGISTRY_FILE = ROOT / "translations" / "locales.toml"
SOURCE_LOCALE = "nb"
# Tags people's browsers send that Babel or our URLs spell differently.
ALIASES = {
    "no": "nb", "nn": "nb", "nob": "nb", "nno": "nb",
    "prs": "fa-af", "fa-af": "fa-af", "fa-arab-af": "fa-af",
    # Kurdish written in Arabic script, or from Iraq or Iran, is almost always Sorani.
    "ku-arab": "ckb", "ku-iq": "ckb", "ku-ir": "ckb", "ku-arab-iq": "ckb", "ckb-arab": "ckb",
}  # fmt: skip
STATUSES = ("source", "reviewed", "unreviewed", "outdated", "missing")


@dataclass(frozen=True)
class PortalLocale:
    """One language the portal offers."""

    code: str  # URL prefix, lower case BCP 47
    gettext: str  # catalog and folder name
    name: str  # own name, own script
    english: str
    dir: str  # "ltr" or "rtl"
    catalog: str  # source / reviewed / unreviewed

    @property
    def tag(self) -> str:
        """BCP 47 tag for lang and hreflang attributes (fa-AF, not fa-af)."""
        language, _, region = self.code.partition("-")
        return f"{language}-{region.upper()}" if region else language

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"

    @property
    def babel(self) -> Locale:
        """The Babel locale (CLDR data: names of countries and languages, date patterns)."""
        return _babel_locale(self.gettext)


@cache
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


@cache
def load_registry(path: Path = REGISTRY_FILE) -> dict[str, PortalLocale]:
    """All locales by URL code, in picker order."""
    with open(path, "rb") as handle:
        entries = tomllib.load(handle)["locale"]
    return {entry["code"]: PortalLocale(**entry) for entry in entries}


def locales() -> list[PortalLocale]:
    return list(load_registry().values())


def get_locale_by_code(code: str) -> PortalLocale | None:
    return load_registry().get(code.lower())


def use_locale(locale: PortalLocale) -> None:
    """The one way to say which language this request speaks: the public URL prefix, the staff
    cookie, an error page's guess. Flask-Babel is told too, in case it already chose."""
    g.portal_locale = locale
    flask_babel.refresh()


def chosen_locale() -> PortalLocale | None:
    """The locale use_locale() set for this request, if any."""
    return g.get("portal_locale")


def current_locale() -> PortalLocale:
    """The one way to read the language of this request: what use_locale() set, else Norwegian.
    Its `.babel` is the Babel locale for formatting dates, numbers and names."""
    return chosen_locale() or load_registry()[SOURCE_LOCALE]


def match_language_tag(tag: str) -> str | None:
    """Map a browser language tag (ar-SY, fa-AF, no) to one of our URL codes."""
    tag = tag.strip().lower().replace("_", "-")
    registry = load_registry()
    if tag in ALIASES:
        return ALIASES[tag]
    if tag in registry:
        return tag
    primary = tag.split("-", 1)[0]
    if primary in ALIASES:
        return ALIASES[primary]
    return primary if primary in registry else None


def negotiate(cookie_value: str | None, accept_languages) -> str:
    """Remembered choice first, then Accept-Language by quality, then Norwegian."""
    if cookie_value and get_locale_by_code(cookie_value):
        return cookie_value.lower()
    for tag, quality in accept_languages:
        if quality <= 0:
            continue  # q=0 means "not this language"
        code = match_language_tag(tag)
        if code:
            return code
    return SOURCE_LOCALE


def visitor_locale() -> PortalLocale:
    """For a page without a language prefix: the visitor's choice, else their browser's."""
    return load_registry()[negotiate(request_language_cookie(), request.accept_languages)]


def _pull_language(endpoint, values):
    if values is None or "lang" not in values:
        return
    code = values.pop("lang")
    locale = get_locale_by_code(code)
    if locale is None:
        abort(404)
    if code != locale.code:
        # /NB/contact and /Fa-Af/ are the same pages: one address each, for caches and the picker.
        # A path with control characters (/Nb/%0d%0a) names no page, and could not go into a
        # Location header.
        if has_control_characters(request.path, line_breaks_allowed=False):
            abort(404)
        path = "/" + locale.code + request.path[len(code) + 1 :]
        query = request.query_string.decode("ascii", "replace")
        raise RequestRedirect(path + (f"?{query}" if query else ""))
    use_locale(locale)


def _add_language(endpoint, values):
    if "lang" in values or chosen_locale() is None:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = current_locale().code


def _select_babel_locale() -> str:
    return current_locale().gettext


def init_app(app: Flask) -> None:
    """Babel with our locale selector, and the language prefix on public URLs."""
    Babel(app, locale_selector=_select_babel_locale)
    app.url_value_preprocessor(_pull_language)
    app.url_defaults(_add_language)

    @app.context_processor
    def _inject_locale():
        return {
            "portal_locale": current_locale(),
            "portal_locales": locales(),
            "path_without_language": path_without_language(),
        }


def path_without_language() -> str:
    """The current path with its language prefix removed (/nb/contact -> /contact)."""
    prefix = f"/{current_locale().code}/"
    if request.path.startswith(prefix):
        return request.path[len(prefix) - 1 :]
    return "/"


def request_language_cookie() -> str | None:
    return request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
