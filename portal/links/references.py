"""Human-readable references such as FG-7K3M-Q9TD."""

import re
import secrets
import unicodedata

from markupsafe import Markup, escape

# No 0/O, 1/I/L or 5/S that people mix up when reading a reference aloud, and no vowels, so a
# reference never spells a word.
ALPHABET = "2346789BCDFGHJKMNPQRTVWXYZ"
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def new_reference(prefix: str) -> str:
    """PREFIX-XXXX-XXXX: 8 characters from a 26-character alphabet (about 37 bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def normalise(text: str, prefixes: tuple[str, ...] = ("FG", "TB")) -> str | None:
    """A reference as people type it (fg7k3mq9td, "TB 7K3M Q9TD", in any case) in its written
    form FG-7K3M-Q9TD; None when it cannot be one."""
    # Digits in Arabic or Persian script, bidi marks and other invisible format characters, and
    # every kind of dash that a phone's keyboard or a copied message may give.
    digits = text.translate(ARABIC_DIGITS)
    visible = "".join(c for c in digits if unicodedata.category(c) != "Cf")
    compact = re.sub(r"[\s\-‐‑‒–—―−]", "", visible).upper()
    pattern = rf"({'|'.join(prefixes)})([{ALPHABET}]{{8}})"
    match = re.fullmatch(pattern, compact)
    if match is None:
        return None
    prefix, chars = match.groups()
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def breakable(reference: str) -> Markup:
    """A reference for a page, which may break only after its dashes ("TB-K3WM-" / "92KD"):
    never inside a group, which would have to be read out at the desk across two lines."""
    return Markup("-<wbr>").join(escape(part) for part in reference.split("-"))
