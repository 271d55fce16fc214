"""The language picker at 360 px in Arabic and English: it opens under its button on the same
edge in both directions, and on a page with a form switching keeps what was typed (registration
and booking), Enter in a field still sends the form. axe-core on each page."""

from pathlib import Path

import pytest

from tests.browser.test_public_pages import axe_violations, scrolls_sideways
from tests.browser.test_registration_flow import navigate

SHOTS = Path("/tmp/shots/languages")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def check(page, axe_source) -> None:
    assert axe_violations(page, axe_source) == []
    assert not scrolls_sideways(page)
    assert page.csp_errors == []


@pytest.mark.parametrize("code", ["ar", "en"])
def test_the_picker_opens_under_its_button_on_the_same_edge(live_server, page_at, axe_source, code):
    page = page_at(360)
    page.goto(f"{live_server}/{code}/contact")
    closed = page.locator(".language-picker summary").bounding_box()
    page.click(".language-picker summary")
    summary = page.locator(".language-picker summary").bounding_box()
    listed = page.locator(".language-list").bounding_box()
    assert abs(summary["x"] - closed["x"]) < 1 and abs(summary["y"] - closed["y"]) < 1
    assert listed["y"] >= summary["y"] + summary["height"]  # under the button
    if code == "ar":  # the inline end is the left edge
        assert abs(listed["x"] - summary["x"]) < 1
        assert summary["x"] < 100
    else:
        right = summary["x"] + summary["width"]
        assert abs(listed["x"] + listed["width"] - right) < 1
        assert right > 260
    shoot(page, f"picker-open-{code}")
    check(page, axe_source)


def _start_registration(page, base: str) -> None:
    page.goto(f"{base}/eligibility")
    page.check('[name="lived_here_under_five_years"][value="yes"]')
    page.check('[name="group"][value="refugee"]')
    navigate(page, 'button[value="continue"]')


def test_switching_language_in_registration_keeps_what_was_typed(live_server, page_at, axe_source):
    page = page_at(360)
    _start_registration(page, f"{live_server}/en/family-registration")
    page.check('[name="role"][value="relative"]')
    page.fill("#name", "Amina Yusuf")
    page.click(".language-picker summary")
    check(page, axe_source)  # the open picker of buttons
    navigate(page, '.language-list button[value="ar"]')
    assert page.url.endswith("/ar/family-registration/registrant")
    assert page.get_attribute("html", "lang") == "ar"
    assert page.input_value("#name") == "Amina Yusuf"
    assert page.is_checked('[name="role"][value="relative"]')
    assert page.locator(".error-summary").count() == 0
    shoot(page, "registration-after-switch-ar")
    check(page, axe_source)
    page.focus("#name")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's own send, never a language
    assert "/ar/family-registration/" in page.url and not page.url.endswith("/registrant"), page.url


def test_switching_language_in_the_booking_form_keeps_what_was_typed(
    live_server, page_at, axe_source
):
    page = page_at(360)
    page.goto(f"{live_server}/ar/book/")
    navigate(page, ".choice-link >> nth=1")
    navigate(page, ".choice-link >> nth=0")
    navigate(page, ".time-button >> nth=0")
    details_path = page.url.split("/ar/", 1)[1]
    page.fill("#name", "Ahmad Karimi")
    page.check("#interpreter_needed-0")
    page.select_option("#interpreter_language", "other")
    page.fill("#interpreter_language_other", "Hazaragi")
    page.fill("#note", "I come with my son")
    shoot(page, "booking-details-ar")
    check(page, axe_source)
    page.click(".language-picker summary")
    navigate(page, '.language-list button[value="en"]')
    assert page.url.endswith(f"/en/{details_path}")
    assert page.get_attribute("html", "lang") == "en"
    assert page.input_value("#name") == "Ahmad Karimi"
    assert page.input_value("#interpreter_language") == "other"
    assert page.input_value("#interpreter_language_other") == "Hazaragi"
    assert page.input_value("#note") == "I come with my son"
    assert page.locator(".error-summary").count() == 0
    shoot(page, "booking-details-after-switch-en")
    check(page, axe_source)
