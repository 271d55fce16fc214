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

# What to bring to the front desk: the profile's [visit] bring lists some of these keys.
BRING_LABELS = {
    "id": _l("Your passport, ID card or residence card"),
    "letters": _l("Letters you have received about your case"),
    "residence_permit": _l("Your residence permit"),
    "bank_details": _l("Your bank account number"),
}
