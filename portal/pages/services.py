"""Rules for the public pages: filling profile facts in, choosing a language, safe redirects."""

import re

from flask import render_template
from markupsafe import Markup, escape

from portal import i18n
from portal.profile import Profile

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# A path inside the portal: no scheme, no host, no "//" or backslash tricks.
SAFE_NEXT_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.\-]*")


def _ltr(text: str) -> Markup:
    """Numbers and addresses keep their order inside right-to-left text."""
    return Markup('<bdi dir="ltr">%s</bdi>') % text


def placeholder_values(profile: Profile) -> dict[str, Markup]:
    """What each {{placeholder}} in a page becomes (HTML, escaped)."""
    return {
        # Norwegian names, so screen readers in other languages pronounce them as Norwegian.
        "municipality": Markup('<bdi lang="nb">%s</bdi>') % profile.municipality,
        "service": Markup('<bdi lang="nb">%s</bdi>') % profile.service_name,
        "phone": Markup('<a href="tel:%s">%s</a>') % (profile.phone_e164, _ltr(profile.phone)),
        "email": Markup('<a href="mailto:%s">%s</a>') % (profile.email, _ltr(profile.email)),
        "booking_retention_days": _ltr(str(profile.booking_retention_days)),
        # render_template output is already escaped by Jinja's autoescaping.
        "contact_card": Markup(render_template("pages/_contact_card.html")),  # noqa: S704
    }


def fill_placeholders(body_html: str, profile: Profile) -> Markup:
    """Replace {{name}} with profile facts; a block placeholder replaces its whole paragraph."""
    values = placeholder_values(profile)
    for name, value in values.items():
        body_html = body_html.replace(f"<p>{{{{{name}}}}}</p>", str(value))

    def substitute(match: re.Match) -> str:
        value = values.get(match.group(1))
        return str(value) if value is not None else str(escape(match.group(0)))

    # body_html comes from markdown-it with raw HTML disabled; substitutions are escaped Markup.
    return Markup(PLACEHOLDER.sub(substitute, body_html))  # noqa: S704


def path_in_other_language(path_without_language: str | None, code: str) -> str:
    """The same page under another language prefix; the home page if the path looks unsafe."""
    locale = i18n.get_locale_by_code(code)
    prefix = f"/{locale.code}" if locale else f"/{i18n.SOURCE_LOCALE}"
    path = path_without_language or "/"
    if not SAFE_NEXT_PATH.fullmatch(path):
        path = "/"
    return prefix + path
