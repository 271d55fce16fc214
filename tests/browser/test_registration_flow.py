"""The registration in a real browser: every page in every language passes axe and reflows."""

from pathlib import Path

import pytest

from portal.i18n import load_registry
from tests.browser.test_public_pages import axe_violations, scrolls_sideways
from tests.registration_data import STEPS

LOCALES = list(load_registry())


def audit(page, axe_source, problems: dict, label: str) -> None:
    found = axe_violations(page, axe_source)
    if scrolls_sideways(page):
        found.append("scrolls sideways at 320 px")
    if page.csp_errors:
        found.append(f"CSP errors: {page.csp_errors}")
    if found:
        problems[label] = found


def navigate(page, selector: str) -> None:
    """Click and wait for the next page, so the following step acts on it."""
    with page.expect_navigation():
        page.click(selector)


def fill_step(page, answers: dict, button: str = "continue") -> None:
    for name, value in answers.items():
        field = page.locator(f'[name="{name}"]')
        kind = field.first.get_attribute("type")
        if kind == "radio":
            page.check(f'[name="{name}"][value="{value}"]')
        elif field.first.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    navigate(page, f'button[value="{button}"]')


@pytest.mark.parametrize("code", LOCALES)
def test_whole_registration_in_every_language(live_server, page_at, axe_source, code):
    page = page_at(320)
    problems = {}
    base = f"{live_server}/{code}/family-registration"
    page.goto(f"{base}/")
    audit(page, axe_source, problems, "start")
    navigate(page, f'a[href="/{code}/family-registration/eligibility"]')
    navigate(page, 'button[value="continue"]')  # nothing chosen: the error state
    assert page.locator(".error-summary").is_visible()
    audit(page, axe_source, problems, "eligibility with errors")
    for step, answers in STEPS.items():
        assert page.url.endswith(step) or step == "family-members/0", (page.url, step)
        audit(page, axe_source, problems, step)
        fill_step(page, answers)
        if step == "family-members/0":
            audit(page, axe_source, problems, "family-members")
            navigate(page, f'a[href="/{code}/family-registration/permit"]')
    assert page.url == f"{base}/check"
    audit(page, axe_source, problems, "check")
    navigate(page, f'a[href="/{code}/family-registration/submit"]')
    audit(page, axe_source, problems, "submit")
    page.check("#confirm")
    navigate(page, 'button[type="submit"]')
    assert page.url == f"{base}/receipt"
    audit(page, axe_source, problems, "receipt")
    status_link = page.locator(".private-link a").get_attribute("href")
    page.goto(status_link)
    assert page.url == f"{live_server}/{code}/status/"
    audit(page, axe_source, problems, "status")
    assert problems == {}


def test_not_eligible_page_and_saved_page(live_server, page_at, axe_source):
    page = page_at(320)
    problems = {}
    page.goto(f"{live_server}/ar/family-registration/eligibility")
    fill_step(page, {"lived_here_under_five_years": "no", "group": "refugee"})
    assert page.url.endswith("/not-eligible")
    audit(page, axe_source, problems, "not eligible")
    page.goto(f"{live_server}/ar/family-registration/eligibility")
    fill_step(page, STEPS["eligibility"])
    fill_step(page, STEPS["registrant"], button="save")
    assert page.url.endswith("/saved")
    audit(page, axe_source, problems, "saved")
    navigate(page, "form[action$='/send-link'] button")  # neither phone nor e-mail: an error
    audit(page, axe_source, problems, "send the link, with an error")
    page.fill("#phone", "+47 912 34 567")
    navigate(page, "form[action$='/send-link'] button")
    assert page.url.endswith("/saved") and page.locator(".flash").count() == 1
    assert problems == {}


def test_eligibility_by_keyboard_alone(live_server, page_at):
    page = page_at(1280)
    page.goto(f"{live_server}/so/family-registration/eligibility")
    page.focus("#lived_here_under_five_years-0")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # to the next group of radios
    page.keyboard.press("Space")
    assert page.is_checked("#lived_here_under_five_years-0") and page.is_checked("#group-0")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "continue"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/so/family-registration/registrant")


def test_error_summary_takes_focus_and_links_to_the_field(live_server, page_at):
    page = page_at(1280)
    page.goto(f"{live_server}/en/family-registration/eligibility")
    navigate(page, 'button[value="continue"]')
    assert page.evaluate("document.activeElement.className") == "error-summary"
    page.click(".error-summary a >> nth=0")
    assert page.url.endswith("#lived_here_under_five_years-0")


def test_arabic_form_is_mirrored(live_server, page_at, tmp_path_factory):
    """Geometry of a right-to-left form with errors; the screenshot is kept for people to look at."""
    page = page_at(360)
    page.goto(f"{live_server}/ar/family-registration/eligibility")
    navigate(page, 'button[value="continue"]')
    shot = tmp_path_factory.mktemp("screenshots") / "ar-eligibility-errors.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    radio = page.locator("#group-0").bounding_box()
    label = page.locator('label[for="group-0"]').bounding_box()
    assert radio["x"] > label["x"] + label["width"] - 1, (
        "the radio button stands right of its label"
    )
    field = page.locator(".field-error").first
    borders = field.evaluate(
        "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]"
    )
    assert borders == ["5px", "0px"], "the error bar is on the right"
    legend = page.locator(".legend").first.bounding_box()
    main = page.locator("main").bounding_box()
    assert legend["x"] + legend["width"] > main["x"] + main["width"] - 40, (
        "text starts at the right"
    )


SHOTS = Path("/tmp/shots/registration")
MYSELF = {"role": "self", "name": "مريم أحمدي", "passport_name": "Maryam Ahmadi"}
SECOND = {**STEPS["family-members/0"], "passport_name": "Ivan Petrenko", "native_name": ""}


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("code", ["ar", "en"])
def test_back_links_remove_after_asking_and_welcome_back(live_server, page_at, axe_source, code):
    """#14 at 360 px: the back link (mirrored in Arabic), removing a family member only after
    asking, the notice naming who was removed, and "Welcome back" after saving."""
    page = page_at(360)
    problems = {}
    base = f"{live_server}/{code}/family-registration"
    page.goto(f"{base}/eligibility")
    navigate(page, 'button[value="continue"]')  # each line of the summary names its question
    question = page.locator(".legend").first.inner_text()
    assert page.locator(".error-summary a").first.inner_text().startswith(question)
    shoot(page, f"{code}-error-summary")
    fill_step(page, STEPS["eligibility"])
    audit(page, axe_source, problems, "about you")
    back = page.locator(".back-link")
    heading = page.locator("h1").bounding_box()
    assert back.bounding_box()["y"] < heading["y"], "the back link stands above the heading"
    if code == "ar":  # right to left: the link starts at the right, its arrow points right
        main = page.locator("main").bounding_box()
        box = back.bounding_box()
        assert box["x"] + box["width"] > main["x"] + main["width"] - 40
        assert "matrix(0.707107, 0.707107" in back.evaluate(
            "e => getComputedStyle(e, '::before').transform"
        )
    shoot(page, f"{code}-about-you-back-link")
    fill_step(page, MYSELF)
    fill_step(page, STEPS["reference-person"])
    fill_step(page, STEPS["family-members/0"])
    navigate(page, f'a[href="/{code}/family-registration/family-members/1"]')
    fill_step(page, SECOND)
    navigate(page, f'a[href="/{code}/family-registration/family-members/0/remove"]')
    assert page.locator("h1 bdi").inner_text() == "Mariia Petrenko"
    audit(page, axe_source, problems, "remove?")
    shoot(page, f"{code}-remove-question")
    navigate(page, "form button[type=submit]")
    assert page.url == f"{base}/family-members"
    assert page.locator(".flash bdi").inner_text() == "Mariia Petrenko"
    assert page.locator(".summary-name").all_inner_texts() == ["Ivan Petrenko"]
    audit(page, axe_source, problems, "removed")
    shoot(page, f"{code}-removed-notice")
    navigate(page, f'a[href="/{code}/family-registration/permit"]')
    fill_step(page, STEPS["permit"], button="save")
    navigate(page, f'a[href="/{code}/family-registration/your-registration"]')
    assert page.locator(".error-summary, .error-message").count() == 0
    audit(page, axe_source, problems, "welcome back")
    shoot(page, f"{code}-welcome-back")
    navigate(page, "main a.button")
    assert page.url == f"{base}/language"
    navigate(page, ".back-link")
    assert page.url == f"{base}/permit"
    assert problems == {}


def test_welcome_back_and_remove_question_at_desktop_width(live_server, page_at, axe_source):
    page = page_at(1280)
    problems = {}
    base = f"{live_server}/ar/family-registration"
    page.goto(f"{base}/eligibility")
    for step in ("eligibility", "registrant", "reference-person", "family-members/0"):
        fill_step(page, STEPS[step])
    navigate(page, 'a[href="/ar/family-registration/family-members/0/remove"]')
    audit(page, axe_source, problems, "remove?")
    page.goto(f"{base}/your-registration")
    audit(page, axe_source, problems, "welcome back")
    assert problems == {}
