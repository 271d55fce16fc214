"""Booking in a real browser, in every language: book, move and cancel, each change asked first
and named after; axe on the pages, no sideways scroll."""

import pytest

from portal.i18n import load_registry
from tests.browser.test_registration_flow import audit, navigate

LOCALES = list(load_registry())
EVERY_PAGE = {"ar", "en"}  # every step audited; in the other languages the pages of #14
CASES = [(code, 360) for code in LOCALES] + [("en", 1280)]


def choose_interpreter(page, language: str) -> None:
    """The interpreter's language: a list or (before it was one) a text field."""
    field = page.locator("#interpreter_language")
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(language)
    else:
        field.fill(language)


@pytest.mark.parametrize(("code", "width"), CASES, ids=[f"{c}-{w}" for c, w in CASES])
def test_book_move_and_cancel_in_every_language(live_server, page_at, axe_source, code, width):
    number = CASES.index((code, width))
    page = page_at(width)
    problems = {}

    def check(label, everywhere=False):
        if everywhere or code in EVERY_PAGE:
            audit(page, axe_source, problems, label)

    page.goto(f"{live_server}/{code}/book/")
    check("topics")
    navigate(page, ".choice-link >> nth=1")
    check("days", everywhere=True)
    assert page.locator("h1").count() == 1 and page.locator(".back-link").count() == 1
    navigate(page, ".choice-link >> nth=0")
    check("times")
    navigate(page, ".time-button >> nth=0")
    navigate(page, 'button[type="submit"]')  # empty form: the error state
    check("details with errors")
    page.fill("#name", "Test Person")
    page.fill("#phone", f"+47 912 00 {number:03d}"[:-1] + str(number % 10))
    page.check("#interpreter_needed-0")
    choose_interpreter(page, "ti")
    page.check("#interpreter_mode-1")
    navigate(page, 'button[type="submit"]')
    assert "/booking/" in page.url, page.url
    assert page.locator(".reference").is_visible()
    assert "••••" in page.locator("main").inner_text()  # the masked number the text went to
    check("confirmation", everywhere=True)
    navigate(page, f'a[href="/{code}/booking/move/"]')
    assert page.locator(".booking-summary").is_visible()  # the appointment being moved
    check("move: days")
    navigate(page, ".choice-link >> nth=1")
    check("move: times")
    navigate(page, ".time-button >> nth=0")
    assert page.url.count("/booking/move/") == 1 and not page.url.endswith("/")
    check("move: are you sure", everywhere=True)
    navigate(page, 'button[name="confirm"]')
    assert page.url.endswith(f"/{code}/booking/?moved=1"), page.url
    check("moved", everywhere=True)
    navigate(page, ".button-warning")  # a link to the question: nothing is cancelled yet
    assert page.url.endswith(f"/{code}/booking/cancel")
    check("cancel: are you sure", everywhere=True)
    navigate(page, 'button[name="confirm"]')
    check("cancelled", everywhere=True)
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
