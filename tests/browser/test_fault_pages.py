"""The 503 page in a real browser: accessible in every language, mirrored right to left, and the
kept answers sent again by keyboard once the database is back."""

import pytest

from portal.i18n import load_registry
from tests.browser.test_registration_flow import audit, fill_step, navigate
from tests.registration_data import STEPS
from tests.test_faults import database_down

LOCALES = list(load_registry())
GUESS = "A" * 43


@pytest.mark.parametrize("width", [320, 1280])
def test_the_503_page_passes_axe_in_every_language(live_app, page_at, axe_source, width):
    page = page_at(width)
    problems = {}
    with database_down(live_app):
        for code in LOCALES:
            response = page.goto(f"{live_app.url}/{code}/status/?token={GUESS}")
            assert response.status == 503, code
            audit(page, axe_source, problems, code)
    assert problems == {}


def test_answers_come_back_and_are_sent_again_by_keyboard(
    live_app, page_at, axe_source, tmp_path_factory
):
    page = page_at(320)
    page.goto(f"{live_app.url}/ar/family-registration/eligibility")
    fill_step(page, STEPS["eligibility"])
    page.fill('[name="name"]', "Olena Petrenko")
    page.check('[name="role"][value="relative"]')
    with database_down(live_app):
        navigate(page, 'button[value="continue"]')
        assert page.locator("h1").inner_text() != "The service is not available right now"
        problems = {}
        audit(page, axe_source, problems, "ar 503 with a kept form")
        assert problems == {}
        page.screenshot(path=str(tmp_path_factory.mktemp("screenshots") / "ar-503.png"))
        button = page.locator("main form button").bounding_box()
        assert button["x"] + button["width"] > 320 - 40, "the button starts at the right"
    page.focus("main form button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/ar/family-registration/reference-person")
