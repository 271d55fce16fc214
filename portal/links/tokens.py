"""Private-link tokens: random, shown once, stored only as a hash."""

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 random bits; the design asks for at least 128


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps: SHA-256 of the token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def derived_token(secret_key: str, purpose: str, token: str) -> str:
    """A second private token that only the holder of `token` (and the server) can produce."""
    digest = hmac.new(secret_key.encode(), f"{purpose}:{token}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def looks_like_token(value: str | None) -> bool:
    """Cheap shape check before any database lookup."""
    return (
        bool(value)
        and 20 <= len(value) <= 64
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    )


def keyed_hash(secret_key: str, purpose: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256) of something personal, to find or count it by without storing
    or logging it: a contact given in a draft, the phone or reference a limit counts."""
    digest = hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()
