"""Catalog and page translation workflow behind `portal translations …`."""

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from portal import i18n
from portal.config import ROOT
from portal.pages.content import SLUGS, SOURCE, PageLibrary, source_hash

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
BABEL_CFG = TRANSLATIONS / "babel.cfg"
# Staff pages have their own domain: Norwegian and English only (English is the source).
STAFF_POT = TRANSLATIONS / "staff.pot"
STAFF_CFG = TRANSLATIONS / "babel-staff.cfg"
STAFF_CATALOG_LOCALES = ("nb",)


def _pybabel(*args: str) -> None:
    # From the project root, so catalogs name source files by relative paths.
    with contextlib.chdir(ROOT):
        CommandLineInterface().run(["pybabel", "-q", *args])


def catalog_locales() -> list[i18n.PortalLocale]:
    """Locales that need a catalog (all but the source language of UI strings)."""
    return [locale for locale in i18n.locales() if locale.catalog != "source"]


def staff_catalog_locales() -> list[i18n.PortalLocale]:
    return [i18n.get_locale_by_code(code) for code in STAFF_CATALOG_LOCALES]


def catalog_path(locale: i18n.PortalLocale, domain: str = "messages") -> Path:
    return TRANSLATIONS / locale.gettext / "LC_MESSAGES" / f"{domain}.po"


def extract() -> None:
    for config, pot in ((BABEL_CFG, POT), (STAFF_CFG, STAFF_POT)):
        _pybabel(
            "extract", "-F", str(config), "-k", "_l", "-k", "lazy_gettext",
            "--add-comments=i18n:", "--project=Ankomst", "--version=0.1",
            "--copyright-holder=Ankomst", "--sort-by-file", "--ignore-dirs=.* __pycache__",
            "-o", str(pot), ".",
        )  # fmt: skip


def _domains():
    return (("messages", POT, catalog_locales()), ("staff", STAFF_POT, staff_catalog_locales()))


def update() -> None:
    for domain, pot, locales in _domains():
        for locale in locales:
            args = ("-i", str(pot), "-d", str(TRANSLATIONS), "-l", locale.gettext, "-D", domain)
            if not catalog_path(locale, domain).exists():
                _pybabel("init", *args)
            _pybabel("update", *args, "--ignore-obsolete", "--no-fuzzy-matching")


def compile_catalogs() -> None:
    for domain, _pot, locales in _domains():
        for locale in locales:
            _pybabel(
                "compile",
                "-d",
                str(TRANSLATIONS),
                "-l",
                locale.gettext,
                "-D",
                domain,
                "--use-fuzzy",
            )


def catalog_counts(locale: i18n.PortalLocale, domain: str = "messages") -> tuple[int, int]:
    """(translated, total) UI strings; fuzzy and partly translated plurals do not count."""
    with open(catalog_path(locale, domain), "rb") as handle:
        catalog = read_po(handle, locale=locale.gettext)
    messages = [message for message in catalog if message.id]
    translated = 0
    for message in messages:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.fuzzy and strings and all(strings):
            translated += 1
    return translated, len(messages)


@dataclass
class StatusReport:
    text: str
    complete: bool


def status(library: PageLibrary) -> StatusReport:
    lines, complete = [], True
    width = max(len(locale.code) for locale in i18n.locales())
    for locale in i18n.locales():
        if locale.catalog == "source":
            ui = "UI source"
        elif not catalog_path(locale).exists():
            ui, complete = "UI catalog missing", False
        else:
            done, total = catalog_counts(locale)
            share = 100 * done / total if total else 100
            complete = complete and done == total
            ui = f"UI {share:5.1f}% ({done}/{total}, {locale.catalog})"
        if locale.code in STAFF_CATALOG_LOCALES:
            if catalog_path(locale, "staff").exists():
                done, total = catalog_counts(locale, "staff")
                complete = complete and done == total
                ui += f"; staff {done}/{total}"
            else:
                ui, complete = ui + "; staff catalog missing", False
        pages = {slug: library.status(locale.gettext, slug) for slug in SLUGS}
        counts = {state: list(pages.values()).count(state) for state in i18n.STATUSES}
        summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        lines.append(f"{locale.code:<{width}}  {ui:<34} pages: {summary}")
        for slug, state in pages.items():
            if state in ("outdated", "missing"):
                lines.append(f"{'':<{width}}    {state}: {slug}")
    return StatusReport("\n".join(lines), complete)


_HASH_LINE = re.compile(r'^source_hash\s*=\s*".*"$', re.MULTILINE)


def stamp(library: PageLibrary, code: str, slugs: tuple[str, ...]) -> int:
    """Write the current Norwegian source hash into translated pages."""
    locale = i18n.get_locale_by_code(code)
    if locale is None or locale.gettext == SOURCE:
        raise ValueError(f"not a translated locale: {code}")
    stamped = 0
    for slug in slugs or SLUGS:
        path = library.path(locale.gettext, slug)
        source = library.read(SOURCE, slug)
        if not path.exists() or source is None:
            continue
        text = path.read_text(encoding="utf-8")
        new_line = f'source_hash = "{source_hash(source)}"'
        if _HASH_LINE.search(text):
            text = _HASH_LINE.sub(new_line, text, count=1)
        else:
            text = text.replace("+++\n", f"+++\n{new_line}\n", 1)
        path.write_text(text, encoding="utf-8")
        stamped += 1
    library.clear()
    return stamped
