"""Notifications: what each message says in every language, the outbox filled by the events that
cause messages, de-duplication, the worker's retries and a worker killed mid-way."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import clock, db
from portal.i18n import load_registry
from portal.notify import outbox, texts, worker
from portal.notify.models import KINDS, OutboxMessage
from portal.notify.transports import TransportError

LOCALES = list(load_registry().values())
BASE = "https://ankomst.stavanger.kommune.no"  # a realistic public address
LINK = BASE + "/k/" + "x" * 22
BOOK_LINK = BASE + "/fa-af/book/"


def _values(kind: str, gettext_locale: str) -> dict:
    when = texts.short_when(
        datetime(2026, 12, 24, 10, 30, tzinfo=ZoneInfo("Europe/Oslo")), gettext_locale
    )
    link = BOOK_LINK if kind in ("booking_cancelled", "booking_closed") else LINK
    return {"when": when, "reference": "TB-7K3M-Q9TD", "link": link}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("locale", LOCALES, ids=lambda loc: loc.code)
def test_every_message_renders_in_every_language_within_two_segments(app, kind, locale):
    with app.test_request_context():
        values = _values(kind, locale.gettext)
        sms, subject, body = texts.render(
            kind, locale.gettext, values, service="Flyktningtjenesten", phone="51 91 40 20"
        )
    with app.test_request_context():
        english, _, _ = texts.render(kind, "en", values, service="x", phone="y")
    assert values["link"] in sms and values["link"] in body
    for key in ("reference", "when"):  # what the English text gives, every language gives
        if values[key] in english:
            assert values[key] in sms, (locale.code, kind, key)
    encoding, parts = texts.segments(sms)
    assert parts <= 2, (locale.code, kind, encoding, len(sms), sms)
    assert subject and "%(" not in subject and "%(" not in sms
    if locale.code != "en":
        assert sms != english, f"{locale.code} {kind} is not translated"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("gsm7", 1)), ("a" * 161, ("gsm7", 2)), ("æøå ÆØÅ" * 20, ("gsm7", 1)),
        ("€" * 80, ("gsm7", 1)), ("€" * 81, ("gsm7", 2)), ("ж" * 70, ("ucs2", 1)),
        ("ж" * 71, ("ucs2", 2)), ("ሰላም" * 45, ("ucs2", 3)), ("مرحبا" * 14, ("ucs2", 1)),
    ],
)  # fmt: skip
def test_segments_follow_gsm7_and_ucs2(text, expected):
    assert texts.segments(text) == expected
