"""Getting back in, in a real browser (issue #12): the lost-link pages, the get-my-link-again
form and its answers pass axe in every language at phone width, reflow, work by keyboard alone
and without JavaScript, and right-to-left pages read right to left."""

import re

import pytest
from sqlalchemy import select

from portal import db
from portal.i18n import load_registry
from portal.notify.models import OutboxMessage
from tests.browser.test_registration_flow import audit, navigate
from tests.conftest import FormFiller
from tests.registration_data import fill_in
from tests.test_booking import FORM

LOCALES = list(load_registry())
PAGES = (
    "status/",  # no link: the status page
    "booking/",  # no link: the booking page
    "family-registration/permit",  # no link: a saved registration's page
    "link-again/",  # the form
    "link-again/sent?outcome=sent",
    "link-again/sent?outcome=paused",
)


@pytest.mark.parametrize("code", LOCALES)
def test_every_page_of_getting_back_in_passes_axe_at_phone_width(
    live_server, page_at, axe_source, code
):
    page = page_at(320)
    problems = {}
    for path in PAGES:
        page.goto(f"{live_server}/{code}/{path}")
        audit(page, axe_source, problems, f"{code} {path}")
    page.goto(f"{live_server}/{code}/link-again/")
    navigate(page, "main form button")  # sent empty: the errors
    assert page.locator(".error-summary").count() == 1
    audit(page, axe_source, problems, f"{code} link-again with errors")
    assert problems == {}


def test_a_lost_status_link_is_asked_for_again_by_keyboard_in_arabic(live_app, page_at, axe_source):
    """On a phone, with a fresh browser: the status page says what to do; the person fills in
    the reference and the phone number with the keyboard alone, in a page without scripts."""
    forms = FormFiller(live_app.test_client())
    fill_in(forms, lang="ar")
    forms.post("/ar/family-registration/submit", {"confirm": "y"})
    receipt = forms.client.get("/ar/family-registration/receipt").get_data(as_text=True)
    reference = re.search(r"FG-\w{4}-\w{4}", receipt.replace("<wbr>", "")).group(0)

    page = page_at(320)
    page.goto(f"{live_app.url}/ar/status/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("script").count() == 0
    page.focus('[name="reference"]')
    page.keyboard.type(reference.lower().replace("-", " "))
    page.keyboard.press("Tab")  # to the phone number
    page.keyboard.type("+380 50 123 4567")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/ar/link-again/sent?outcome=sent")
    problems = {}
    audit(page, axe_source, problems, "ar sent")
    assert problems == {}
    with live_app.app_context():
        sent = db.get_session().scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "status_link")
        )
        assert [(m.recipient, m.locale) for m in sent] == [("+380501234567", "ar")]
    # Right to left for real: the reference field is written left to right inside the page.
    page.goto(f"{live_app.url}/ar/link-again/")
    field = page.locator('[name="reference"]')
    assert field.get_attribute("dir") == "ltr"
    box, main = field.bounding_box(), page.locator("main").bounding_box()
    assert box["x"] + box["width"] >= main["x"] + main["width"] - 40  # starts at the right


def test_the_booking_conflict_is_explained_beside_the_phone_field(live_app, page_at, axe_source):
    """Someone else's form for a booked time with the same phone: the answer sits by the phone
    field, in Tigrinya, and the page passes axe at phone width."""
    owner = FormFiller(live_app.test_client())
    days = owner.client.get("/ti/book/general/").get_data(as_text=True)
    day = re.search(r'href="/ti/book/general/([\d-]+)/"', days).group(1)
    times = owner.client.get(f"/ti/book/general/{day}/").get_data(as_text=True)
    time = re.findall(rf'href="/ti/book/general/{day}/(\d{{4}})"', times)[-1]
    phone = "+47 401 23 456"
    assert owner.post(f"/ti/book/general/{day}/{time}", {**FORM, "phone": phone}).status_code == 302

    page = page_at(320)
    page.goto(f"{live_app.url}/ti/book/general/{day}/{time}")
    for name in ("name", "phone"):
        page.fill(f'[name="{name}"]', {**FORM, "phone": phone}[name])
    page.select_option('[name="interpreter_language"]', FORM["interpreter_language"])
    page.check('[name="interpreter_needed"][value="yes"]')
    page.check('[name="interpreter_mode"][value="on_site"]')
    navigate(page, "main form button[type=submit]")
    assert page.locator("#phone-error").count() == 1
    assert page.locator("#phone").get_attribute("aria-invalid") == "true"
    problems = {}
    audit(page, axe_source, problems, "ti booking conflict")
    assert problems == {}
