"""WCAG 1.4.4 (resize text) and 1.4.10 (reflow): every public page at 200 % text on a 320 px
phone, in every language, fits the screen: no sideways scroll, nothing cut at an edge.

How 200 % text is emulated. A phone's text-size setting (Android's font size, iOS's larger text,
Chromium's own font size setting in chrome://settings/fonts) changes the browser's default font
size, the size that `rem` and `em` are relative to. Each page here gets Chromium's own setting,
doubled (16 px to 32 px), through the DevTools protocol (Page.setFontSizes): the same thing a
person's setting does, media queries in rem included. It works because every text size in
portal.css is in rem or em (a test below checks that no font size is in px or pt, print aside);
a page with sizes in px would not grow, and would pass here while failing its readers. (A user
style sheet `html { font-size: 200% }` would do the same, but the pages' CSP refuses it.)

Lean on purpose: one browser page per language, no axe (test_public_pages.py and the flow tests
run axe). Run time serial: about 20 s for the twelve languages on an idle machine (18 s of CPU).
"""

import re
from pathlib import Path

import pytest

from portal.i18n import load_registry
from tests.browser.test_public_pages import PATHS

LOCALES = list(load_registry())
DEFAULT_FONT_SIZES = {"standard": 16, "fixed": 13}  # Chromium's, the 100 % of the setting


def twice_the_text(page) -> None:
    """Chromium's own font size setting (chrome://settings/fonts), set through the DevTools
    protocol for this tab: the default sizes doubled. It lasts across navigations."""
    session = page.context.new_cdp_session(page)
    doubled = {kind: size * 2 for kind, size in DEFAULT_FONT_SIZES.items()}
    session.send("Page.setFontSizes", {"fontSizes": doubled})


PRINT_RULES = re.compile(r"@media print \{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
CSS = Path(__file__).resolve().parents[2] / "portal" / "static" / "portal.css"

# What sticks out of the screen: the page's own width, then each visible element whose box
# leaves the viewport on either side (the header's name and language button included).
FIND_OVERFLOW = """() => {
  const root = document.documentElement, width = root.clientWidth, found = [];
  if (root.scrollWidth > width) found.push(`page is ${root.scrollWidth} px wide, screen ${width}`);
  const outside = new Set();
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('.visually-hidden, .skip-link')) continue;
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height || (box.left >= -1 && box.right <= width + 1)) continue;
    outside.add(element);
    if (outside.has(element.parentElement)) continue;  // name the outermost only
    const name = element.tagName.toLowerCase() + (element.className ? '.' + element.className : '');
    found.push(`${name} at ${Math.round(box.left)}..${Math.round(box.right)}`);
    if (found.length > 5) break;
  }
  return found;
}"""


def visit_each_page(page, live_server: str, code: str):
    """Open the information pages and the start of each flow, one after the other (yielding
    each address); booking's days, times and details are reached by following the first link
    of each page, as a person would."""
    for path in [*PATHS, "family-registration/", "status/", "link-again/", "book/"]:
        page.goto(f"{live_server}/{code}/{path}")
        yield page.url
    for link in (".choice-link", ".choice-link", ".time-button"):
        page.goto(live_server + page.locator(link).first.get_attribute("href"))
        yield page.url


@pytest.mark.parametrize("code", LOCALES)
def test_nothing_scrolls_sideways_or_is_cut_at_200_percent_text_on_320_px(
    live_server, page_at, code
):
    page = page_at(320)
    twice_the_text(page)
    problems = {}
    for url in visit_each_page(page, live_server, code):
        found = page.evaluate(FIND_OVERFLOW)
        if found:
            problems[url.removeprefix(live_server)] = found
    assert problems == {}


def test_every_text_size_is_relative_so_the_text_size_setting_works():
    screen_rules = PRINT_RULES.sub("", CSS.read_text(encoding="utf-8"))
    fixed = re.findall(r"font(?:-size)?:[^;}]*\d(?:px|pt)\b[^;}]*", screen_rules)
    assert fixed == []


# Every link, button and the language button of a page at least 24 px tall and wide.
SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, summary')]
  .filter(element => element.offsetParent !== null && !element.closest('.visually-hidden'))
  .map(element => [element.textContent.trim(), element.getBoundingClientRect()])
  .filter(([, box]) => box.height < 24 || box.width < 24)
  .map(([text, box]) => `${text}: ${Math.round(box.width)} x ${Math.round(box.height)}`)"""


@pytest.mark.parametrize("code", ["ar", "en"])
def test_every_target_is_at_least_24_px_also_a_link_in_running_text(live_server, page_at, code):
    """WCAG 2.2 2.5.8 (axe leaves out links inside a sentence): "Choose another day" stood
    alone at 23 px."""
    page = page_at(360)
    problems = {}
    for url in visit_each_page(page, live_server, code):
        small = page.evaluate(SMALL_TARGETS)
        if small:
            problems[url.removeprefix(live_server)] = small
    assert problems == {}


def test_arabic_script_is_never_slanted_emphasis_is_bold(live_server, page_at):
    page = page_at(360)
    page.goto(f"{live_server}/ar/introduction-programme")  # its text has *emphasis*
    style = "element => [getComputedStyle(element).fontStyle, getComputedStyle(element).fontWeight]"
    assert page.locator("main em").first.evaluate(style) == ["normal", "700"]
    page.goto(f"{live_server}/en/introduction-programme")
    assert page.locator("main em").first.evaluate(style) == ["italic", "400"]
    # An Arabic-script phrase inside a left-to-right page is upright too.
    for code in ("ar", "fa", "fa-AF", "ps", "ckb"):
        page.evaluate(
            "code => document.querySelector('main p').insertAdjacentHTML("
            '\'beforeend\', `<em lang="${code}" id="x-${code}">نام</em>`)',
            code,
        )
        assert page.locator(f"#x-{code}").evaluate(style) == ["normal", "700"], code
