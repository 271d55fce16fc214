"""Translated names of booking codes."""

from flask_babel import lazy_gettext as _l

TOPIC_LABELS = {
    "general": _l("A general question"),
    "introduction_programme": _l("The introduction programme"),
    "family_reunification": _l("Family reunification"),
    "housing": _l("Housing"),
    "money": _l("Money and benefits"),
}

INTERPRETER_MODES = {"on_site": _l("At the office"), "phone": _l("By phone")}
