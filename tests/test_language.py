"""Language negotiation at /, the picker, and the language prefix."""

import pytest

from portal.i18n import match_language_tag, negotiate
from tests.conftest import portal_lines_outside


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        ("uk", "ar,en;q=0.5", "uk"),  # a remembered choice wins
        (None, "ar-SY,ar;q=0.9,en;q=0.5", "ar"),
        (None, "de-DE,fa-AF;q=0.8,fa;q=0.7", "fa-af"),  # unknown first, Dari next
        (None, "fa-IR", "fa"),
        (None, "prs", "fa-af"),
        (None, "no", "nb"),
        (None, "nn-NO", "nb"),
        (None, "ckb-IQ", "ckb"),
        (None, "ku-TR", "ku"),
        (None, "de-DE,fr", "nb"),  # nothing we offer: Norwegian
        (None, "", "nb"),
        ("xx", "ti", "ti"),  # a forged cookie is ignored
        (None, "ar;q=0, so", "so"),  # q=0 means "not Arabic"
        (None, "fa-Arab-AF", "fa-af"),
        (None, "ku-Arab", "ckb"),
        (None, "ku-IQ", "ckb"),
        (None, "ku", "ku"),
    ],
)
def test_root_redirects_by_cookie_then_accept_language_then_norwegian(
    client, cookie, accept, expected
):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 302
    assert response.location == f"/{expected}/"
    assert "Accept-Language" in response.headers["Vary"]
    assert "Cookie" in response.headers["Vary"]


def test_accept_language_respects_quality_order(client):
    response = client.get("/", headers={"Accept-Language": "en;q=0.3,so;q=0.9"})
    assert response.location == "/so/"


def test_match_language_tag_unknown():
    assert match_language_tag("de-AT") is None
    assert negotiate(None, []) == "nb"


def test_picker_keeps_the_page_and_remembers_the_choice(client):
    response = client.get("/language/fa-af?next=/family-reunification")
    assert response.status_code == 302
    assert response.location == "/fa-af/family-reunification"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=fa-af")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert client.get("/").location == "/fa-af/"


def test_picker_links_lead_to_same_page_in_every_language(client, app):
    html = client.get("/so/contact").get_data(as_text=True)
    for code in ("nb", "en", "uk", "ru", "ar", "ti", "so", "fa-af", "fa", "ps", "ckb", "ku"):
        assert f'href="/language/{code}?next=/contact"' in html
    # The current language is marked for screen readers.
    assert 'hreflang="so" aria-current="true"><span lang="so" dir="ltr">Soomaali</span>' in html
    assert '<span lang="ar" dir="rtl">العربية</span>' in html


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/a b",
        "/contact%0a",
        "/x%0d%0aSet-Cookie:a=b",
        None,
    ],
)
def test_picker_never_redirects_off_site(client, next_path):
    query = "" if next_path is None else f"?next={next_path}"
    response = client.get(f"/language/uk{query}")
    assert response.location == "/uk/"


def test_unknown_language_is_404(client):
    assert client.get("/xx/").status_code == 404
    assert client.get("/xx/contact").status_code == 404
    assert client.get("/language/xx?next=/").status_code == 404


def test_secure_language_cookie_in_production_settings(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/language/ar?next=/")
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("path", "target"), [("/NB/contact", "/nb/contact"), ("/Fa-AF/", "/fa-af/")]
)
def test_language_prefix_in_capitals_redirects_to_the_one_address(client, path, target):
    response = client.get(path)
    assert response.status_code == 308
    assert response.location == target


def test_the_request_language_is_set_and_read_one_way():
    """Only i18n.use_locale() sets the request's language and only i18n.current_locale() reads it
    (templates get it as portal_locale); nobody else writes g.portal_locale or asks Flask-Babel."""
    offenders = portal_lines_outside(
        "i18n", r"\bportal_locale\b|\bget_locale\(|flask_babel import .*\bget_locale\b"
    )
    assert offenders == []
