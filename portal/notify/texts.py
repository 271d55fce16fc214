"""What each message says, in the recipient's language. Short, and only what the person needs:
what happened, a reference and a private link; never an ID number, a note or case details.
Text messages must stay within two segments in every language (tested)."""

import math

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.i18n.formatting import short_when

# i18n: placeholders: %(when)s a short date and time ("24.11. 10:00"), %(reference)s a booking or
# case reference (TB-7K3M-Q9TD), %(link)s a short web address. Keep them; keep the text short:
# a text message has room for about 60 letters besides them in Arabic, Tigrinya or Ukrainian.
SMS_TEXTS = {
    # i18n: %(address)s is the office's street address ("Tinngata 8, Stavanger")
    "booking_confirmed": _l("Booked: %(when)s, %(address)s. Change or cancel: %(link)s"),
    "booking_reminder": _l("Reminder: tomorrow %(when)s, %(address)s. Change or cancel: %(link)s"),
    "booking_moved": _l("Your time is moved: %(when)s, %(address)s. %(link)s"),
    "booking_cancelled": _l("Your time %(when)s is cancelled. Book a new time: %(link)s"),
    "booking_closed": _l(
        "The office is closed, so your time %(when)s is cancelled. Book a new time: %(link)s"
    ),
    "registration_received": _l(
        "We received your registration %(reference)s. Follow it here: %(link)s"
    ),
    "caseworker_message": _l("We wrote to you about %(reference)s. Read and answer here: %(link)s"),
    "draft_link": _l("Continue your registration (the link works for 14 days): %(link)s"),
    "booking_link": _l("Your time %(when)s, ref. %(reference)s. See, move or cancel: %(link)s"),
    "status_link": _l("Your new link to follow %(reference)s: %(link)s"),
}
EMAIL_SUBJECTS = {
    "booking_confirmed": _l("Your booking %(reference)s"),
    "booking_reminder": _l("Reminder of your booking %(reference)s"),
    "booking_moved": _l("Your booking %(reference)s is moved"),
    "booking_cancelled": _l("Your booking %(reference)s is cancelled"),
    "booking_closed": _l("Your booking %(reference)s is cancelled"),
    "registration_received": _l("We received your registration %(reference)s"),
    "caseworker_message": _l("A message about %(reference)s"),
    "draft_link": _l("Your saved registration"),
    "booking_link": _l("Your booking %(reference)s"),
    "status_link": _l("Your new link for %(reference)s"),
}
# i18n: a line of an e-mail about an appointment: where the office is
EMAIL_ADDRESS_LINE = _l("Address: %(address)s")
# i18n: the last line of an e-mail: the service's name and phone number
EMAIL_SIGNATURE = _l("%(service)s, phone %(phone)s. Please do not answer this e-mail.")

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def segments(text: str) -> tuple[str, int]:
    """("gsm7" or "ucs2", number of SMS segments): GSM-7 has 160 characters (153 when split),
    UCS-2, needed for Arabic, Cyrillic or Ge'ez script, 70 (67 when split)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = len(text) + sum(ch in GSM7_EXTENSION for ch in text)
        return "gsm7", 1 if units <= 160 else math.ceil(units / 153)
    units = len(text.encode("utf-16-le")) // 2
    return "ucs2", 1 if units <= 70 else math.ceil(units / 67)


def render(
    kind: str, locale: str, values: dict, *, service: str, phone: str
) -> tuple[str, str, str]:
    """(sms text, e-mail subject, e-mail body) in `locale` (a gettext locale name)."""
    with force_locale(locale):
        sms = str(SMS_TEXTS[kind]) % values
        subject = str(EMAIL_SUBJECTS[kind]) % {"reference": values.get("reference", "")}
        signature = str(EMAIL_SIGNATURE) % {"service": service, "phone": phone}
        where = str(EMAIL_ADDRESS_LINE) % values if "address" in values else ""
    return sms, subject, "\n\n".join(part for part in (sms, where, signature) if part) + "\n"


def too_long(
    base_url: str, locales, kinds, *, service: str = "", phone: str = "", address: str = ""
) -> list[tuple[str, str, int]]:
    """(locale, kind, segments) of every message that would need more than two SMS segments with
    this public address: the texts leave about 60 letters for words in two UCS-2 segments, so a
    long address can push the tightest languages over (checked when the worker starts)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sample = datetime(2026, 12, 24, 10, 30, tzinfo=ZoneInfo("Europe/Oslo"))
    over = []
    for locale in locales:
        for kind in kinds:
            link = (
                f"{base_url}/{locale.code}/book/"
                if kind in ("booking_cancelled", "booking_closed")
                else f"{base_url}/k/{'x' * 22}"
            )
            values = {
                "when": short_when(sample, locale.gettext),
                "reference": "TB-7K3M-Q9TD",
                "link": link,
                "address": address,
            }
            sms, _subject, _body = render(
                kind, locale.gettext, values, service=service, phone=phone
            )
            parts = segments(sms)[1]
            if parts > 2:
                over.append((locale.code, kind, parts))
    return over
