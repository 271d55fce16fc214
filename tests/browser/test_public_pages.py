"""Every public page in every locale: axe-core WCAG 2.2 A/AA, reflow at 320 px, keyboard use."""

import pytest

from portal.i18n import load_registry
from portal.pages.content import SLUGS

LOCALES = list(load_registry())
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PATHS = ["", *SLUGS, "no-such-page"]


def axe_violations(page, axe_source) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("code", LOCALES)
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_violations_and_no_sideways_scroll(
    live_server, page_at, axe_source, code, width
):
    page = page_at(width)
    problems = {}
    for path in PATHS:
        page.goto(f"{live_server}/{code}/{path}")
        found = axe_violations(page, axe_source)
        if width == 320 and scrolls_sideways(page):
            found.append("scrolls sideways at 320 px")
        if page.csp_errors:
            found.append(f"CSP errors: {page.csp_errors}")
        if found:
            problems[path or "home"] = found
    assert problems == {}


@pytest.mark.parametrize("code", LOCALES)
def test_open_language_picker_fits_a_small_phone(live_server, page_at, axe_source, code):
    page = page_at(320)
    page.goto(f"{live_server}/{code}/contact")
    page.click(".language-picker summary")
    assert page.is_visible(".language-list")
    assert not scrolls_sideways(page)
    assert axe_violations(page, axe_source) == []


def test_language_picker_works_by_keyboard_alone(live_server, page_at):
    page = page_at(1280)
    page.goto(f"{live_server}/nb/family-reunification")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")  # the service name, a link home
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    for _ in range(len(LOCALES)):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Українська":
            break
    else:
        pytest.fail("the Ukrainian link was not reachable by Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/uk/family-reunification"
    assert page.evaluate("document.documentElement.lang") == "uk"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["lang"] == "uk"
    page.goto(f"{live_server}/")
    assert page.url == f"{live_server}/uk/"


def test_skip_link_moves_focus_to_the_content(live_server, page_at):
    page = page_at(1280)
    page.goto(f"{live_server}/en/contact")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("code", ["ar", "fa-af", "ckb"])
def test_right_to_left_layout_is_mirrored(live_server, page_at, code):
    page = page_at(1280)
    page.goto(f"{live_server}/{code}/contact")
    brand = page.locator(".brand").bounding_box()
    picker = page.locator(".language-picker summary").bounding_box()
    assert brand["x"] > picker["x"], "the service name should stand at the right"
    # The notice's bar (border-inline-start) is on the right, and list bullets too.
    notice = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.notice'));"
        " return [s.borderRightWidth, s.borderLeftWidth, s.direction]; })()"
    )
    assert notice == ["6px", "0px", "rtl"]
    label = page.locator(".contact-card dt").first.bounding_box()
    value = page.locator(".contact-card dd").first.bounding_box()
    assert label["x"] > value["x"], "labels stand right of their values"
    # A phone number keeps its digit groups in order inside right-to-left text.
    phone = page.locator(".contact-card a[href^='tel:'] bdi")
    assert phone.evaluate("element => getComputedStyle(element).direction") == "ltr"
    assert phone.inner_text() == "51 91 40 20"
