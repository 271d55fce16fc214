import pytest

from portal import create_app
from portal.config import DEVELOPMENT_SECRET_KEY, ConfigError, from_environment, validate


@pytest.mark.parametrize(
    "secret",
    [None, "", DEVELOPMENT_SECRET_KEY, "too-short"],
    ids=["missing", "empty", "development-default", "short"],
)
def test_production_refuses_weak_secret_key(secret):
    env = {"PORTAL_ENV": "production", "PORTAL_BASE_URL": "https://ankomst.example.no"}
    if secret is not None:
        env["PORTAL_SECRET_KEY"] = secret
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        validate(from_environment(env))


def test_production_app_refuses_to_start_without_secret(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


PRODUCTION = {
    "PORTAL_ENV": "production",
    "PORTAL_SECRET_KEY": "x" * 48,
    "PORTAL_BASE_URL": "https://ankomst.example.no/",
    "PORTAL_NOTIFY_SMS": "http",
    "PORTAL_SMS_URL": "https://sms.example.no/send",
    "PORTAL_NOTIFY_EMAIL": "smtp",
    "PORTAL_SMTP_HOST": "smtp.example.no",
    "PORTAL_MAIL_FROM": "flyktningtjenesten@stavanger.kommune.no",
}


def test_production_with_strong_key_uses_secure_cookies():
    config = from_environment(PRODUCTION)
    validate(config)
    assert config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_insecure_cookies():
    env = {**PRODUCTION, "PORTAL_COOKIE_SECURE": "0"}
    with pytest.raises(ConfigError, match="COOKIE_SECURE"):
        validate(from_environment(env))


def test_development_defaults():
    config = from_environment({})
    assert config["PORTAL_ENV"] == "development"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["DATABASE_URL"].startswith("sqlite:///")
    assert config["PROFILE_PATH"].endswith("stavanger.toml")


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("mode", ["prod", "Production", "staging", ""])
def test_unknown_modes_are_refused(mode):
    config = from_environment({"PORTAL_ENV": mode})
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        validate(config)


def test_production_needs_its_https_address():
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
        validate(from_environment({**PRODUCTION, "PORTAL_BASE_URL": ""}))
    assert from_environment(PRODUCTION)["BASE_URL"] == "https://ankomst.example.no"


def test_production_refuses_to_run_without_rate_limits():
    with pytest.raises(ConfigError, match="Rate limits"):
        validate(from_environment({**PRODUCTION, "PORTAL_RATELIMIT_ENABLED": "0"}))


@pytest.mark.parametrize(
    "changes",
    [
        {"PORTAL_NOTIFY_SMS": "log"},
        {"PORTAL_NOTIFY_EMAIL": "log"},
        {"PORTAL_SMS_URL": "http://sms.example.no/send"},
        {"PORTAL_SMTP_SECURITY": "none", "PORTAL_SMTP_USER": "portal"},
        {"PORTAL_MAIL_FROM": "no-reply@example.org"},
    ],
)
def test_production_messages_must_really_leave_encrypted(changes):
    with pytest.raises(ConfigError):
        validate(from_environment({**PRODUCTION, **changes}))


def test_implicit_tls_defaults_to_port_465():
    assert from_environment({"PORTAL_SMTP_SECURITY": "tls"})["SMTP_PORT"] == 465
    assert from_environment({})["SMTP_PORT"] == 587
