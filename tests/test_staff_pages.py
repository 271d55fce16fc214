"""The staff pages themselves: Norwegian by default or English, and never cached."""

import pytest

from tests.staff_signin import (  # noqa: F401 - fixtures among them
    text,
    where,
)


# --- 8. language -------------------------------------------------------------------------------
def test_staff_pages_are_norwegian_by_default_and_switch_to_english(client):
    assert '<html lang="nb"' in text(client.get("/staff/login"))
    response = client.get("/staff/language/en?next=/staff/login")
    assert where(response) == "/staff/login"
    assert '<html lang="en"' in text(client.get("/staff/login"))
    client.get("/staff/language/nb?next=/staff/login")
    assert '<html lang="nb"' in text(client.get("/staff/login"))


@pytest.mark.parametrize(
    "outside",
    [
        "https://evil.example/",
        "//evil.example/staff/",
        "/en/",
        "/\\evil.example",
        "/staff/login\r\nSet-Cookie: planted=1",
    ],
)
def test_the_language_switch_ignores_an_outside_next(client, outside):
    response = client.get("/staff/language/en", query_string={"next": outside})
    assert where(response) == "/staff/"


def test_an_unknown_staff_language_is_ignored(client):
    assert where(client.get("/staff/language/xx?next=/staff/login")) == "/staff/"
    assert '<html lang="nb"' in text(client.get("/staff/login"))


# --- 9. headers --------------------------------------------------------------------------------
def test_staff_pages_are_never_cached_and_carry_the_csp(client, staff):
    pages = [client.get("/staff/login")]
    _, email = staff.account()
    session_cookie = staff.login(email).headers["Set-Cookie"]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    pages.append(client.get("/staff/account"))
    for response in pages:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
