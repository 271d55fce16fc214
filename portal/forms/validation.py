"""Rules for what people type: digits in any script, Norwegian ID numbers, DUF, phones, names."""

import re
import unicodedata
from datetime import date

import phonenumbers

# Arabic-Indic (٠-٩) and Extended Arabic-Indic / Persian (۰-۹) digits become ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_SEPARATORS = re.compile(r"[\s\-./]")
NAME_PUNCTUATION = set(" -'’.")
# C0 and C1 control characters (NUL, ESC, DEL, …) but tab, line feed and carriage return. Format
# characters (Cf: the bidi marks, ZWJ/ZWNJ that Persian needs) are text, and stay.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ANY_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # tab and line breaks too
_ASCII_NUMBER = re.compile(r"[0-9]+")


def has_control_characters(value: str, *, line_breaks_allowed: bool = True) -> bool:
    """Control characters in typed text; a single-line value (an address) allows no tab or line
    break either."""
    pattern = _CONTROL_CHARACTERS if line_breaks_allowed else _ANY_CONTROL_CHARACTER
    return pattern.search(value) is not None


def without_control_characters(value: str) -> str:
    return _CONTROL_CHARACTERS.sub("", value)


def ascii_number(value: str | None) -> int | None:
    """A whole number written in ASCII digits, else None: "²", "①" and "٣" are digits to
    str.isdigit() but not to int() (URL parts and form values that are ids, not typed numbers)."""
    if value is None or not _ASCII_NUMBER.fullmatch(value):
        return None
    return int(value)


def normalise_digits(value: str) -> str:
    return value.translate(_DIGITS)


def compact_number(value: str) -> str:
    """Digits in ASCII, without spaces, dashes, dots or slashes."""
    return _SEPARATORS.sub("", normalise_digits(value))


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def _birth_year(two_digits: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900 + two_digits
    if individual <= 749 and two_digits >= 54:
        return 1800 + two_digits
    if two_digits <= 39:
        return 2000 + two_digits
    if individual >= 900:
        return 1900 + two_digits
    return None


def national_id_birth_date(value: str) -> date | None:
    """The birth date in a valid fødselsnummer or D-number; None when the number is not valid.

    Both mod-11 check digits must match, and the date part must be a real date (D-numbers add 40
    to the day).
    """
    number = compact_number(value)
    if not re.fullmatch(r"\d{11}", number):
        return None
    if _check_digit(number[:9], _FNR_WEIGHTS_1) != int(number[9]):
        return None
    if _check_digit(number[:10], _FNR_WEIGHTS_2) != int(number[10]):
        return None
    day, month, year2, individual = (
        int(number[0:2]), int(number[2:4]), int(number[4:6]), int(number[6:9])
    )  # fmt: skip
    if day > 40:
        day -= 40  # D-number
    year = _birth_year(year2, individual)
    if year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def is_duf_number(value: str) -> bool:
    """A DUF number is twelve digits (its format is all that can be checked)."""
    return re.fullmatch(r"\d{12}", compact_number(value)) is not None


def parse_phone(value: str, default_region: str = "NO") -> str | None:
    """A valid phone number in E.164 form (+4791234567), or None. Norway is assumed without +."""
    text = normalise_digits(value).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """Readable form: national for Norway (912 34 567), international otherwise."""
    number = phonenumbers.parse(e164)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 47
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def is_latin_name(value: str) -> bool:
    """Letters of the Latin alphabet (with diacritics), spaces, hyphens, apostrophes, dots."""
    letters = [c for c in value if c not in NAME_PUNCTUATION]
    return bool(letters) and all(
        c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in letters
    )


def is_name(value: str) -> bool:
    """A name in any script: letters and marks, spaces, hyphens, apostrophes and dots."""
    stripped = [c for c in value if c not in NAME_PUNCTUATION]
    return bool(stripped) and all(
        unicodedata.category(c)[0] in {"L", "M"} or c in "\u200c\u200d" for c in stripped
    )


def parse_contact(value: str) -> tuple[str, str] | None:
    """A phone number or an e-mail address as given on a form: ("sms", "+4791234567") or
    ("email", "name@example.org", lower case); None when it is neither."""
    text = " ".join(value.split())
    if "@" in text:
        local, _, domain = text.rpartition("@")
        if local and "." in domain and " " not in text:
            return "email", text.lower()
        return None
    phone = parse_phone(text)
    return ("sms", phone) if phone else None
