"""A live portal in a thread and headless Debian Chromium driven by Playwright."""

import shutil
import threading
from importlib import resources

import pytest
from werkzeug.serving import make_server

from portal import create_app, db
from portal.db import schema

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(live_app):
    return live_app.url


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The portal on a free local port, on its own SQLite database (its `url` attribute)."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
            "DATABASE_URL": f"sqlite:///{folder / 'portal.db'}",
            # Its own instance folder: the rate-limit file there starts empty every run (in the
            # repository's instance/ it counted every earlier run of the day).
            "INSTANCE_DIR": str(folder / "instance"),
            "ARGON2_CHEAPEST": True,
            # Every browser test comes from 127.0.0.1; the limits are tested in test_status.py.
            "RATELIMIT_SUBMITS": "10000 per hour",
            "RATELIMIT_LOOKUPS": "10000 per minute",
            "RATELIMIT_LOGINS": "10000 per minute",
            "RATELIMIT_LINK_REQUESTS": "10000 per hour",
            "RATELIMIT_LINK_REQUESTS_PER_TARGET": "10000 per hour",
            "STAFF_TOTP_REQUIRED": True,  # as in production: the browser tests enrol
        }
    )
    with app.app_context():
        schema.upgrade(db.get_engine())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, as shipped inside the axe-playwright-python wheel (no npm, no network)."""
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def page_at(browser):
    """page_at(width): a fresh page (own cookies) with that viewport width."""
    contexts = []

    def _open(width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and page.csp_errors.append(message.text)
            ),
        )
        return page

    yield _open
    for context in contexts:
        context.close()
