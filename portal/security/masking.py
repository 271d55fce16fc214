"""Showing a phone number, an e-mail address or an identity number without giving it away:
enough to tell which one it is, no more. One way for every page and message."""

import phonenumbers

MASK = "\u2022\u2022\u2022\u2022"  # ••••
NO_BREAK = "\u00a0"


def masked_phone(e164: str) -> str:
    """ "+47 •••• 45 67", joined by no-break spaces so that it never breaks over two lines."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return MASK
    national = str(number.national_number)
    return NO_BREAK.join((f"+{number.country_code}", MASK, national[-4:-2], national[-2:]))


def masked_email(address: str) -> str:
    """ "o•••@example.no"."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}\u2022\u2022\u2022@{domain}" if local and domain else MASK


def masked_number(number: str) -> str:
    """An identity or case number with only its last three characters: "•••• 565"."""
    kept = "".join(number.split())[-3:]
    return f"{MASK}{NO_BREAK}{kept}" if len("".join(number.split())) > 6 else MASK


def masked(value: str) -> str:
    """Whichever of the three `value` is (a phone starts with +, an e-mail has @)."""
    value = value.strip()
    if "@" in value:
        return masked_email(value)
    if value.startswith("+"):
        return masked_phone(value.replace(NO_BREAK, "").replace(" ", ""))
    return masked_number(value)
