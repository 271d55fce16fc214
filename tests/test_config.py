import pytest

from portal import create_app
from portal.config import DEVELOPMENT_SECRET_KEY, ConfigError, from_environment, validate


@pytest.mark.parametrize(
    "secret",
    [None, "", DEVELOPMENT_SECRET_KEY, "too-short"],
    ids=["missing", "empty", "development-default", "short"],
)
def test_production_refuses_weak_secret_key(secret):
    env = {"PORTAL_ENV": "production"}
    if secret is not None:
        env["PORTAL_SECRET_KEY"] = secret
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        validate(from_environment(env))


def test_production_app_refuses_to_start_without_secret(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_production_with_strong_key_uses_secure_cookies():
    config = from_environment({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 48})
    validate(config)
    assert config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_insecure_cookies():
    env = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 48, "PORTAL_COOKIE_SECURE": "0"}
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
