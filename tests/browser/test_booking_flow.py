"""Booking in a real browser, in every language: axe on every page, 320 px, book, move, cancel."""

import pytest

from portal.i18n import load_registry
from tests.browser.test_registration_flow import audit, navigate

LOCALES = list(load_registry())


@pytest.mark.parametrize("number", range(len(LOCALES)))
def test_book_move_and_cancel_in_every_language(live_server, page_at, axe_source, number):
    code = LOCALES[number]
    page = page_at(320)
    problems = {}
    page.goto(f"{live_server}/{code}/book/")
    audit(page, axe_source, problems, "topics")
    navigate(page, ".choice-link >> nth=1")
    audit(page, axe_source, problems, "days")
    navigate(page, ".choice-link >> nth=0")
    audit(page, axe_source, problems, "times")
    navigate(page, ".time-button >> nth=0")
    navigate(page, 'button[type="submit"]')  # empty form: the error state
    audit(page, axe_source, problems, "details with errors")
    page.fill("#name", "Test Person")
    page.fill("#phone", f"+47 912 00 {number:03d}"[:-1] + str(number % 10))
    page.check("#interpreter_needed-0")
    page.fill("#interpreter_language", "Tigrinya")
    page.check("#interpreter_mode-1")
    navigate(page, 'button[type="submit"]')
    assert "/booking/" in page.url, page.url
    assert page.locator(".reference").is_visible()
    audit(page, axe_source, problems, "confirmation")
    navigate(page, f'a[href="/{code}/booking/move/"]')
    audit(page, axe_source, problems, "move: days")
    navigate(page, ".choice-link >> nth=1")
    audit(page, axe_source, problems, "move: times")
    navigate(page, ".time-button >> nth=0")
    assert page.url.endswith(f"/{code}/booking/")
    navigate(page, ".button-warning")
    audit(page, axe_source, problems, "cancelled")
    assert page.locator(".button-warning").count() == 0
    assert problems == {}


def test_booking_by_keyboard_alone(live_server, page_at):
    page = page_at(1280)
    page.goto(f"{live_server}/ar/book/")
    page.focus(".choice-link >> nth=0")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.focus(".choice-link >> nth=0")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.focus(".time-button >> nth=2")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.focus("#name")
    page.keyboard.type("محمد الأحمد")
    page.keyboard.press("Tab")
    page.keyboard.type("+963 944 123 456")
    page.focus("#interpreter_needed-1")
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a form submits it
    assert "/ar/booking/" in page.url
