"""Human-readable references such as FG-7K3M-Q9TD."""

import secrets

# No 0/O, 1/I/L or 5/S that people mix up when reading a reference aloud, and no vowels, so a
# reference never spells a word.
ALPHABET = "2346789BCDFGHJKMNPQRTVWXYZ"


def new_reference(prefix: str) -> str:
    """PREFIX-XXXX-XXXX: 8 characters from a 26-character alphabet (about 37 bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"
