"""Security headers on every response; no response refers to another origin."""

import re
from html.parser import HTMLParser

import pytest

from portal.i18n import load_registry
from portal.pages.content import SLUGS
from portal.security import CONTENT_SECURITY_POLICY

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def all_public_paths():
    paths = ["/", "/healthz", "/static/portal.css", "/nb/no-such-page", "/language/ar?next=/"]
    for code in load_registry():
        paths.append(f"/{code}/")
        paths.extend(f"/{code}/{slug}" for slug in SLUGS)
    return paths


def test_csp_is_exactly_the_agreed_policy():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


def test_security_headers_on_every_route(client):
    for path in all_public_paths():
        response = client.get(path)
        headers = response.headers
        assert headers["Content-Security-Policy"] == EXPECTED_CSP, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "Strict-Transport-Security" not in headers, path


def test_hsts_when_served_over_https(client):
    response = client.get("/nb/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")


def test_hsts_behind_a_trusted_proxy_only(make_app):
    forwarded = {"X-Forwarded-Proto": "https"}
    direct = make_app().test_client().get("/nb/", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers  # a spoofed header is not trusted
    proxied = make_app(TRUSTED_PROXIES=1).test_client().get("/nb/", headers=forwarded)
    assert "Strict-Transport-Security" in proxied.headers


def test_server_error_page_also_has_headers(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule("/nb/boom", "boom", lambda: 1 / 0)
    response = app.test_client().get("/nb/boom")
    assert response.status_code == 500
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP


class ReferenceCollector(HTMLParser):
    """Collects every URL a browser would load or submit to, and every anchor."""

    LOADING = {"src", "srcset", "data", "poster", "action", "formaction", "background"}

    def __init__(self):
        super().__init__()
        self.loads, self.anchors, self.inline_scripts, self.inline_styles = [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name in self.LOADING and value:
                self.loads.append(value)
            if name == "style":
                self.inline_styles += 1
            if name.startswith("on"):
                self.inline_scripts += 1
        if tag == "link" and attrs.get("rel") != "alternate":
            self.loads.append(attrs.get("href", ""))
        if tag == "a":
            self.anchors.append(attrs.get("href", ""))
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1
        if tag == "style":
            self.inline_styles += 1


def _is_same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") or url.startswith("data:")


def test_no_response_loads_anything_from_another_origin(client):
    for path in all_public_paths():
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        collector = ReferenceCollector()
        collector.feed(response.get_data(as_text=True))
        offending = [url for url in collector.loads if not _is_same_origin(url)]
        assert offending == [], (path, offending)
        assert collector.inline_scripts == 0 and collector.inline_styles == 0, path
        # Links to other sites are only the official ones a page names in its text.
        external = [url for url in collector.anchors if re.match(r"^[a-z]+://", url)]
        assert all(url.startswith("https://www.udi.no/") for url in external), (path, external)
    css = client.get("/static/portal.css").get_data(as_text=True)
    assert "url(" not in css and "@import" not in css


@pytest.mark.parametrize("path", ["/nb/", "/ar/contact"])
def test_public_pages_set_no_session_cookie(client, path):
    assert "Set-Cookie" not in client.get(path).headers


def test_static_files_are_versioned_and_cached_long(client):
    html = client.get("/nb/").get_data(as_text=True)
    href = re.search(r'href="(/static/portal\.css\?v=[0-9a-f]{10})"', html).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_absolute_links_ignore_a_forged_host(make_app):
    app = make_app(BASE_URL="https://ankomst.example.no", TRUSTED_PROXIES=1)
    client = app.test_client()
    for headers in ({"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"}):
        html = client.get("/nb/contact", headers=headers).get_data(as_text=True)
        assert "evil.example" not in html
        assert 'hreflang="uk" href="https://ankomst.example.no/uk/contact"' in html


def test_page_cache_does_not_grow_with_invented_hosts(make_app):
    app = make_app(BASE_URL="https://ankomst.example.no")
    client = app.test_client()
    for number in range(20):
        client.get("/nb/", headers={"Host": f"host{number}.example"})
    assert len(app.extensions["page_cache"]) == 1
