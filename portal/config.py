"""Configuration. The only module that reads the environment."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = ROOT / "deploy" / "profiles" / "stavanger.toml"
DEVELOPMENT_SECRET_KEY = "development-only-insecure-key"  # noqa: S105 - refused in production
MIN_SECRET_KEY_LENGTH = 32
MODES = ("development", "production")


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(environ=None) -> dict:
    """Build the Flask config from PORTAL_* variables."""
    env = os.environ if environ is None else environ
    mode = env.get("PORTAL_ENV", "development")
    production = mode == "production"
    instance = Path(env.get("PORTAL_INSTANCE_DIR", ROOT / "instance"))
    return {
        "PORTAL_ENV": mode,
        "SECRET_KEY": env.get("PORTAL_SECRET_KEY")
        or ("" if production else DEVELOPMENT_SECRET_KEY),
        "DATABASE_URL": env.get("PORTAL_DATABASE_URL") or f"sqlite:///{instance / 'portal.db'}",
        "PROFILE_PATH": env.get("PORTAL_PROFILE") or str(DEFAULT_PROFILE),
        "PAGE_CACHE": _flag(env.get("PORTAL_PAGE_CACHE"), default=True),
        "SESSION_COOKIE_SECURE": _flag(env.get("PORTAL_COOKIE_SECURE"), default=production),
        "LOG_LEVEL": env.get("PORTAL_LOG_LEVEL", "INFO"),
        # text (one readable line per record) or json (one object per line, for a log collector).
        "LOG_FORMAT": env.get("PORTAL_LOG_FORMAT") or "text",
        # How many reverse proxies in front of the app may set X-Forwarded-* (0: trust none).
        "TRUSTED_PROXIES": int(env.get("PORTAL_TRUSTED_PROXIES") or 0),
        # The public address (https://ankomst.example.no): absolute links never trust the Host header.
        "BASE_URL": (env.get("PORTAL_BASE_URL") or "").rstrip("/"),
        # Where rate limits are counted: redis://host:6379 to share them between hosts; empty for
        # a file in the instance folder that every worker of this host shares. Never memory://
        # in production: each worker would count on its own.
        "RATELIMIT_STORAGE_URL": env.get("PORTAL_RATELIMIT_STORAGE_URL") or "",
        # Keeps the counts of two portals (or test runs) sharing one Redis apart.
        "RATELIMIT_KEY_PREFIX": env.get("PORTAL_RATELIMIT_KEY_PREFIX") or "",
        # Only for load benchmarks from one address; refused in production.
        "RATELIMIT_ENABLED": _flag(env.get("PORTAL_RATELIMIT_ENABLED"), default=True),
        "INSTANCE_DIR": str(instance),
        # Notifications: "log" (development) or a real transport.
        "NOTIFY_SMS": env.get("PORTAL_NOTIFY_SMS") or "log",
        "SMS_URL": env.get("PORTAL_SMS_URL", ""),
        "SMS_BODY": env.get("PORTAL_SMS_BODY")
        or '{"to": "{to}", "text": "{text}", "sender": "{sender}", "reference": "{reference}"}',
        "SMS_CONTENT_TYPE": env.get("PORTAL_SMS_CONTENT_TYPE") or "application/json",
        "SMS_SENDER": env.get("PORTAL_SMS_SENDER") or "Kommunen",
        "SMS_USER": env.get("PORTAL_SMS_USER", ""),
        "SMS_PASSWORD": env.get("PORTAL_SMS_PASSWORD", ""),
        "SMS_TOKEN": env.get("PORTAL_SMS_TOKEN", ""),
        "NOTIFY_EMAIL": env.get("PORTAL_NOTIFY_EMAIL") or "log",
        "SMTP_HOST": env.get("PORTAL_SMTP_HOST", ""),
        # 465 for implicit TLS, 587 (submission with STARTTLS) otherwise, unless set.
        "SMTP_PORT": int(
            env.get("PORTAL_SMTP_PORT")
            or (465 if env.get("PORTAL_SMTP_SECURITY") == "tls" else 587)
        ),
        "SMTP_SECURITY": env.get("PORTAL_SMTP_SECURITY") or "starttls",
        "SMTP_USER": env.get("PORTAL_SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("PORTAL_SMTP_PASSWORD", ""),
        "MAIL_FROM": env.get("PORTAL_MAIL_FROM") or "no-reply@example.org",
        "MAIL_FROM_NAME": env.get("PORTAL_MAIL_FROM_NAME") or "Flyktningtjenesten",
        # Where links in messages point when no PORTAL_BASE_URL is set (development only).
        "DEV_BASE_URL": env.get("PORTAL_DEV_BASE_URL") or "http://127.0.0.1:8000",
        # Messages the public can make us send (links asked for again): at most this many an
        # hour in all; then they pause and administrators are told.
        "PUBLIC_MESSAGES_PER_HOUR": int(env.get("PORTAL_PUBLIC_MESSAGES_PER_HOUR") or 100),
        # Staff must use a second factor (TOTP). Only a local demo may turn it off.
        "STAFF_TOTP_REQUIRED": _flag(env.get("PORTAL_STAFF_TOTP_REQUIRED"), default=True),
    }


def defaults() -> dict:
    """Settings that are the same everywhere."""
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE": "lang",
        "LANGUAGE_COOKIE_MAX_AGE": 365 * 24 * 3600,
        # A slow phone user may keep a form open for hours; tokens stay valid for the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
        # Two gettext domains in one folder: "messages" (public pages, every language) and "staff"
        # (staff pages, Norwegian and English only). Staff first: Flask-Babel keeps the plural
        # rule of the last catalog it merges, and only "messages" has one for every language.
        "BABEL_TRANSLATION_DIRECTORIES": f"{ROOT / 'translations'};{ROOT / 'translations'}",
        "BABEL_DOMAIN": "staff;messages",
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
        "PAGES_DIR": str(ROOT / "translations"),
        "RATELIMIT_LOOKUPS": "30 per minute",
        "RATELIMIT_SUBMITS": "20 per hour",
        # Booking forms refused because the phone has bookings, per phone number.
        "RATELIMIT_PHONE_REFUSALS": "3 per day",
        # Asking for a link again: per client address, and per reference (or address asked for).
        "RATELIMIT_LINK_REQUESTS": "10 per hour",
        "RATELIMIT_LINK_REQUESTS_PER_TARGET": "5 per hour",
        # The get-my-link-again answer takes at least this long, matched or not (no timing hint).
        "LINK_AGAIN_ANSWER_SECONDS": 0.2,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "DRAFT_DAYS": 14,
        # Every request body the app reads is bounded (forms only; nginx has the same limit): a
        # 150 MB body is refused with 413, not read into a worker's memory.
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # /readyz calls a SQLite host unready below this much free disk: the next form would get
        # "database or disk is full".
        "SQLITE_MIN_FREE_BYTES": 16 * 1024 * 1024,
        # Staff login: per-address rate limit, and a lockout per account kept in the database.
        "RATELIMIT_LOGINS": "20 per minute; 200 per hour",
        "STAFF_LOCKOUT_ATTEMPTS": 5,
        "STAFF_LOCKOUT_MINUTES": 15,
        "STAFF_IDLE_MINUTES": 30,
        "STAFF_SESSION_HOURS": 10,
    }


def validate(config: dict) -> None:
    """Refuse settings that would be unsafe in production, and unknown modes."""
    if config.get("NOTIFY_SMS") not in ("log", "http") or config.get("NOTIFY_EMAIL") not in (
        "log",
        "smtp",
    ):
        raise ConfigError("PORTAL_NOTIFY_SMS must be log or http; PORTAL_NOTIFY_EMAIL log or smtp.")
    if config.get("NOTIFY_SMS") == "http" and not config.get("SMS_URL", "").startswith(
        ("https://", "http://")
    ):
        raise ConfigError("PORTAL_NOTIFY_SMS=http needs PORTAL_SMS_URL, the gateway's address.")
    if config.get("NOTIFY_EMAIL") == "smtp" and not config.get("SMTP_HOST"):
        raise ConfigError("PORTAL_NOTIFY_EMAIL=smtp needs PORTAL_SMTP_HOST.")
    if config.get("SMTP_SECURITY", "starttls") not in ("starttls", "tls", "none"):
        raise ConfigError("PORTAL_SMTP_SECURITY must be starttls, tls or none.")
    if config.get("LOG_FORMAT", "text") not in ("text", "json"):
        raise ConfigError("PORTAL_LOG_FORMAT must be text or json.")
    if config.get("PORTAL_ENV") not in MODES:
        raise ConfigError(
            f"PORTAL_ENV must be one of {', '.join(MODES)}, not {config.get('PORTAL_ENV')!r}."
        )
    if config.get("PORTAL_ENV") != "production":
        return
    if not config.get("BASE_URL", "").startswith("https://"):
        raise ConfigError(
            "PORTAL_BASE_URL must be set to the portal's https:// address in production."
        )
    key = config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "PORTAL_SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters in production, for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    if not config.get("RATELIMIT_ENABLED", True):
        raise ConfigError("Rate limits cannot be turned off in production.")
    if config.get("RATELIMIT_STORAGE_URL", "").startswith("memory://"):
        raise ConfigError(
            "PORTAL_RATELIMIT_STORAGE_URL=memory:// counts in each worker on its own, so a limit "
            "of 20 lets 20 per worker through. Leave it empty (a file every worker of this host "
            "shares) or set redis://… (shared by every host)."
        )
    if not config.get("STAFF_TOTP_REQUIRED", True):
        raise ConfigError("PORTAL_STAFF_TOTP_REQUIRED cannot be turned off in production.")
    if not config.get("SESSION_COOKIE_SECURE"):
        raise ConfigError("PORTAL_COOKIE_SECURE must not be turned off in production.")
    _validate_notifications_in_production(config)


def _validate_notifications_in_production(config: dict) -> None:
    """In production messages must really leave, encrypted: the log transport would mark them
    sent while nobody gets them."""
    if config.get("NOTIFY_SMS") != "http" or config.get("NOTIFY_EMAIL") != "smtp":
        raise ConfigError(
            "In production set PORTAL_NOTIFY_SMS=http (with PORTAL_SMS_URL) and "
            "PORTAL_NOTIFY_EMAIL=smtp (with PORTAL_SMTP_HOST): the log transport sends nothing."
        )
    if not config.get("SMS_URL", "").startswith("https://"):
        raise ConfigError("PORTAL_SMS_URL must be an https:// address in production.")
    if config.get("SMTP_SECURITY") == "none" and config.get("SMTP_USER"):
        raise ConfigError("PORTAL_SMTP_SECURITY=none would send the SMTP password unencrypted.")
    if config.get("MAIL_FROM", "").endswith("@example.org"):
        raise ConfigError("Set PORTAL_MAIL_FROM to the municipality's sender address.")
