"""The one list of languages a person can ask an interpreter for, in registration and booking.

A choice is stored as a BCP 47 language tag ("ar", "fa-AF", "tig"); "other" comes with the
language's name as the person typed it, and that text is what is stored. Texts saved before
there was a list (old drafts, cases and bookings) are shown as typed, or by their name when
they are one of the names we recognise ("Arabic", "العربية", "Farsi").

Order: the portal's twelve languages in the language picker's order, then the languages below
sorted by their name in the reader's language, then "other". Sorting is by the case-folded name
with accents set aside (and Norwegian's æ, ø, å after z), not by each language's full collation
rules (PyICU is not installed): good enough for a list of about 60 names, and the same on every
machine.
"""

import unicodedata
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import Length, ValidationError

from portal.forms.fields import CleanStringField
from portal.i18n import current_locale, locales

OTHER = "other"
# Languages people who come to Norway as refugees or to join family often speak, besides the
# portal's own (East and Horn of Africa, Great Lakes, West Africa, the Middle East, Caucasus,
# Central and South Asia, South-East Asia, Europe). BCP 47 tags that CLDR names.
MORE_LANGUAGES = (
    "tig", "am", "om", "aa", "sw", "ln", "rw", "rn", "lg", "din", "nus", "ha", "yo", "ff", "wo",
    "bm", "sg", "fr", "es", "pt", "it", "de", "tr", "az", "ka", "hy", "ce", "uz", "tg", "ky",
    "kk", "tk", "ug", "mn", "ur", "hi", "bn", "pa", "ne", "ta", "si", "sd", "bal", "my", "rhg",
    "th", "vi", "km", "zh", "yue", "tl", "ro", "pl", "sq", "bs", "hr", "sr", "mk", "bg", "be",
    "lt", "he", "syr", "kab", "zgh",
)  # fmt: skip
# Own names we do not show: their script has no font on most phones.
NO_OWN_NAME = {"rhg"}
# Names people type that CLDR does not give (old free-text answers).
EXTRA_NAMES = {"farsi": "fa", "sorani": "ckb", "soranî": "ckb", "kurmanji": "ku", "dari": "fa-AF"}


@dataclass(frozen=True)
class Language:
    tag: str  # BCP 47, as stored
    name: str  # in the reader's language
    own_name: str | None  # in the language itself, when it differs from `name`

    @property
    def label(self) -> str:
        """ "Arabisk (العربية)": the own name isolated, so its direction cannot turn the
        brackets around in a right-to-left page (an <option> can hold no <bdi>)."""
        return f"{self.name} (\u2068{self.own_name}\u2069)" if self.own_name else self.name


def _cldr(tag: str) -> str:
    return tag.replace("-", "_")


def _capitalised(name: str) -> str:
    """First letter upper case (Norwegian CLDR names are lower case: "arabisk"); not in
    Georgian, whose upper-case letters are for headings only."""
    if not name or unicodedata.name(name[0], "").startswith("GEORGIAN"):
        return name
    return name[:1].upper() + name[1:]


@cache
def _babel(name: str) -> Locale | None:
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return None


def _portal_tags() -> list[str]:
    return [locale.tag for locale in locales()]


def _own_names() -> dict[str, str]:
    """Each portal language's own name, as the picker shows it."""
    return {locale.tag: locale.name for locale in locales()}


def name_in(tag: str, reader: Locale) -> str | None:
    """The language's CLDR name in the reader's language (English when CLDR lacks it)."""
    name = reader.languages.get(_cldr(tag)) or _babel("en").languages.get(_cldr(tag))
    return _capitalised(name) if name else None


def _own_name(tag: str) -> str | None:
    if tag in NO_OWN_NAME:
        return None
    own = _own_names().get(tag)
    if own:
        return own
    locale = _babel(_cldr(tag))
    name = locale and locale.languages.get(_cldr(tag))
    return _capitalised(name) if name else None


def _language(tag: str, reader: Locale) -> Language | None:
    name = name_in(tag, reader)
    if name is None:
        return None
    own = _own_name(tag)
    if own and own.casefold() == name.casefold():
        own = None
    return Language(tag, name, own)


# Letters that Norwegian sorts after z, in this order (accents are set aside for the others).
AFTER_Z = {"nb": {"æ": "z{", "ø": "z|", "å": "z}"}}


def _sort_key(name: str, reader: str = "") -> str:
    text = name.casefold()
    for letter, key in AFTER_Z.get(reader, {}).items():
        text = text.replace(letter, key)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def portal_languages(reader: Locale | None = None) -> list[Language]:
    reader = reader or current_locale().babel
    return [lang for tag in _portal_tags() if (lang := _language(tag, reader))]


def more_languages(reader: Locale | None = None) -> list[Language]:
    reader = reader or current_locale().babel
    found = [lang for tag in MORE_LANGUAGES if (lang := _language(tag, reader))]
    # Names CLDR lacks in the reader's language (shown in English) come after the reader's own.
    return sorted(
        found,
        key=lambda lang: (
            _cldr(lang.tag) not in reader.languages,
            _sort_key(lang.name, reader.language),
        ),
    )


def known_tags() -> set[str]:
    return {*_portal_tags(), *MORE_LANGUAGES}


def choices() -> dict:
    """The choices of a SelectField, in two groups (<optgroup>), in the reader's language;
    "Choose" first and "other" last."""
    return {
        None: [SelectChoice("", _l("Choose"))],
        # i18n: a group in the list of languages for the interpreter
        _l("Languages of this website"): [
            SelectChoice(lang.tag, lang.label) for lang in portal_languages()
        ],
        # i18n: a group in the list of languages for the interpreter
        _l("More languages"): [
            *(SelectChoice(lang.tag, lang.label) for lang in more_languages()),
            # i18n: the last entry of the list of languages: the person writes its name below
            SelectChoice(OTHER, _l("Another language (write it below)")),
        ],
    }


def _normalised(text: str) -> str:
    return " ".join(text.split()).strip(".").casefold()


@cache
def _tags_by_name() -> dict[str, str]:
    """Names of the listed languages in English, Norwegian, each portal language and their
    own language, to their tags (for answers typed before there was a list)."""
    names: dict[str, str] = {}
    readers = ["en", "nb", *(locale.gettext for locale in locales())]
    for tag in sorted(known_tags()):
        names[tag.casefold()] = tag
        for reader in (*readers, _cldr(tag)):
            locale = _babel(reader)
            name = locale and locale.languages.get(_cldr(tag))
            if name:
                names.setdefault(_normalised(name), tag)
    for locale in locales():
        names.setdefault(_normalised(locale.name), locale.tag)
        names.setdefault(_normalised(locale.english), locale.tag)
    return {**names, **EXTRA_NAMES}


def recognised(stored: str | None) -> str | None:
    """The tag a stored value means: a tag ("ar"), or a name typed before there was a list
    ("العربية", "Arabic", "arabisk"); None for anything else."""
    if not stored:
        return None
    return _tags_by_name().get(_normalised(stored))


def stored_value(tag: str | None, other: str | None) -> str | None:
    """What is stored for a choice: the tag, or for "other" the name the person wrote."""
    if tag == OTHER:
        return other or None
    return tag or None


def form_values(stored: str | None) -> tuple[str, str]:
    """(choice, other text) that show a stored value in the form again: an old free-text
    answer that names no listed language comes back as "other" with its text."""
    if not stored:
        return "", ""
    tag = recognised(stored)
    return (tag, "") if tag else (OTHER, stored)


def readable(stored: str | None, reader: Locale | None = None) -> str:
    """The stored value in the reader's language for a person's own pages ("Arabisk"); text
    that names no known language as it was typed."""
    if not stored:
        return ""
    tag = recognised(stored)
    name = tag and name_in(tag, reader or current_locale().babel)
    return name or stored


def for_staff(stored: str | None) -> str:
    """For staff pages and the export: "Arabisk (ar)" in the staff language, with the tag;
    what names no known language as typed."""
    if not stored:
        return ""
    tag = recognised(stored)
    name = tag and name_in(tag, current_locale().babel)
    return f"{name} ({tag})" if name else stored


# --- the two fields, the same in registration and booking ---------------------------------------


def interpreter_language_field() -> SelectField:
    """The list; its choices are set per request (set_choices), in the reader's language."""
    return SelectField(
        _l("Language for the interpreter"),
        description=_l("Only if you need an interpreter."),
        # i18n: a value was sent that is not in the list of languages
        invalid_choice_message=_l("Choose a language from the list."),
        choices=[],
    )


def other_language_field() -> CleanStringField:
    return CleanStringField(
        # i18n: a text field under the list of languages for the interpreter
        _l("Another language"),
        description=_l("Only if the language is not in the list. Write its name."),
        validators=[Length(max=100, message=_l("Use at most %(max)d characters."))],
    )


def prepare(form) -> None:
    """Give the form's list its choices, and show a stored value again: an old free-text answer
    becomes its language, or "another language" with the text."""
    field, other = form.interpreter_language, form.interpreter_language_other
    field.choices = choices()
    # Only what was stored: a value posted that is not in the list is refused by the list
    # ("Choose a language from the list."), never taken as "another language" unchecked.
    if form.is_submitted():
        return
    if field.data and field.data != OTHER and field.data not in known_tags():
        field.data, typed = form_values(field.data)
        other.data = other.data or typed


def check_choice(form) -> None:
    """validate_interpreter_language of both forms."""
    if form.interpreter_needed.data == "yes" and not form.interpreter_language.data:
        raise ValidationError(_l("Choose which language the interpreter should speak."))


def check_other(form) -> None:
    """validate_interpreter_language_other of both forms."""
    needed = form.interpreter_needed.data == "yes"
    typed = form.interpreter_language_other.data or ""
    # A name has letters: bidi marks, digits or punctuation alone tell staff nothing.
    if needed and form.interpreter_language.data == OTHER and not any(c.isalpha() for c in typed):
        raise ValidationError(_l("Write which language the interpreter should speak."))


def chosen(form) -> str | None:
    """What to store from the form: the tag, the typed name for "other", None without need."""
    if form.interpreter_needed.data != "yes":
        return None
    return stored_value(form.interpreter_language.data, form.interpreter_language_other.data)
