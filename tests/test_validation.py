"""Validators for what people type: ID numbers, DUF, phones, names, digits in Arabic script."""

from datetime import date

import pytest

from portal.forms.validation import (
    is_duf_number,
    is_latin_name,
    is_name,
    national_id_birth_date,
    normalise_digits,
    parse_phone,
)


@pytest.mark.parametrize(
    ("number", "birth_date"),
    [
        ("15076500565", date(1965, 7, 15)),  # fødselsnummer, check digits verified by hand
        ("150765 00565", date(1965, 7, 15)),  # typed with a space
        ("29022451225", date(2024, 2, 29)),  # leap day, individual number 512: born 2000s
        ("31129949980", date(1999, 12, 31)),
        ("55076500559", date(1965, 7, 15)),  # D-number: 40 added to the day
        ("61079532133", date(1995, 7, 21)),  # D-number
        ("١٥٠٧٦٥٠٠٥٦٥", date(1965, 7, 15)),  # Arabic-Indic digits
        ("۱۵۰۷۶۵۰۰۵۶۵", date(1965, 7, 15)),  # Persian digits
    ],
)
def test_valid_national_ids(number, birth_date):
    assert national_id_birth_date(number) == birth_date


@pytest.mark.parametrize(
    "number",
    [
        "15076500564",  # second check digit wrong
        "15076500575",  # first check digit wrong
        "30023012304",  # check digits right, but 30 February
        "1507650056",  # ten digits
        "150765005655",  # twelve digits
        "150765OO565",  # letters O for zeros
        "",
        "abcdefghijk",
    ],
)
def test_invalid_national_ids(number):
    assert national_id_birth_date(number) is None


@pytest.mark.parametrize(
    ("value", "valid"),
    [("201212345678", True), ("2012 1234 5678", True), ("٢٠١٢١٢٣٤٥٦٧٨", True),
     ("20121234567", False), ("2012123456789", False), ("2012-1234-567X", False)],
)  # fmt: skip
def test_duf_number_format(value, valid):
    assert is_duf_number(value) is valid


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("912 34 567", "+4791234567"),  # Norway, no country code
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("+380 50 123 4567", "+380501234567"),  # Ukraine
        ("+291 7 123 456", "+2917123456"),  # Eritrea
        ("+963 944 123 456", "+963944123456"),  # Syria
        ("٩١٢٣٤٥٦٧", "+4791234567"),  # Arabic-Indic digits
        ("۹۱۲۳۴۵۶۷", "+4791234567"),  # Persian digits
    ],
)
def test_valid_phone_numbers(typed, e164):
    assert parse_phone(typed) == e164


@pytest.mark.parametrize("typed", ["12345", "+291 1 234 567", "phone", "", "+47 123"])
def test_invalid_phone_numbers(typed):
    assert parse_phone(typed) is None


def test_digits_in_arabic_script_become_ascii():
    assert normalise_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"


@pytest.mark.parametrize(
    ("name", "latin", "any_script"),
    [
        ("Olena Petrenko", True, True),
        ("Øystein Ærø-Åsen", True, True),
        ("D'Angelo O’Neil", True, True),
        ("Олена Петренко", False, True),
        ("محمد الأحمد", False, True),
        ("ሰላም ተስፋይ", False, True),  # Tigrinya, Ge'ez script
        ("زهرا‌ احمدی", False, True),  # Persian with a zero-width non-joiner
        ("Robert'); DROP TABLE", False, False),
        ("Anna 2", False, False),
        ("", False, False),
    ],
)
def test_names_in_any_script(name, latin, any_script):
    assert is_latin_name(name) is latin
    assert is_name(name) is any_script
