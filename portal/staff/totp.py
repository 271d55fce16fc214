"""Time-based one-time codes (RFC 6238) with pyotp, the enrolment QR code, and recovery codes."""

import secrets
from datetime import datetime

import pyotp
import segno

from portal.links.tokens import token_hash

ISSUER = "Ankomst"
VALID_WINDOW = 1  # accept the code before and after the current one (clock drift)
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits


def provisioning_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The enrolment QR code as inline SVG: no script, no image request, no outside service."""
    return segno.make(uri, error="m").svg_inline(
        scale=4,
        border=2,
        title=title,
        svgclass="qr-code",
        lineclass=None,
        dark="#000",
        light="#fff",
    )


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def matching_counter(secret: str, code: str, at: datetime, last_counter: int | None) -> int | None:
    """The time step the code belongs to, or None. A step at or before `last_counter` was already
    used (or is older than one used), so a replayed code is refused."""
    code = normalise_code(code)
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    for counter in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if secrets.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 10 characters (about 49 bits each), shown once as xxxxx-xxxxx."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """Codes are random, so a plain SHA-256 (as for private links) is enough; dashes and case
    do not matter when typed."""
    return token_hash(normalise_code(code).replace("-", "").lower())
