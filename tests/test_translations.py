"""UI catalogs: complete, compilable, with the right plural forms; the status command."""

import io
import shutil

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from portal.config import ROOT
from portal.i18n import load_registry, use_locale
from portal.pages import translations

CATALOG_LOCALES = [loc for loc in load_registry().values() if loc.catalog != "source"]
PLURAL_MSGID = "This website is available in %(num)d language."


def _catalog(locale):
    with open(translations.catalog_path(locale), "rb") as handle:
        return read_po(handle, locale=locale.gettext)


@pytest.mark.parametrize("locale", CATALOG_LOCALES, ids=lambda loc: loc.code)
def test_catalog_is_complete_and_compiles(locale):
    translated, total = translations.catalog_counts(locale)
    assert total > 0 and translated == total, f"{locale.code}: {translated}/{total}"
    write_mo(io.BytesIO(), _catalog(locale))
    assert locale.catalog in {"reviewed", "unreviewed"}


def _strings_in(sources) -> set:
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = set()
    for method, path in sources:
        for _line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=keywords, options={"trimmed": "true"}
        ):
            found.add(message)
    return found


def _ids_in(pot) -> set:
    with open(pot, "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def _is_staff(path) -> bool:
    """A staff page's module or template: in a folder named staff, or a module named staff.py."""
    relative = path.relative_to(ROOT)
    return "staff" in relative.parts[:-1] or relative.name == "staff.py"


def test_catalog_templates_match_the_code():
    """Every string in code and templates is in its template: staff pages' strings in staff.pot,
    all others in messages.pot (run `portal translations extract`)."""
    sources = [("python", path) for path in (ROOT / "portal").rglob("*.py")]
    sources += [("jinja2", path) for path in (ROOT / "templates").rglob("*.html")]
    public = [source for source in sources if not _is_staff(source[1])]
    staff = [source for source in sources if _is_staff(source[1])]
    assert any(path.parent.name.startswith("_") for _, path in public)  # _macros/ included
    assert staff and len(staff) < len(sources)
    public_found = _strings_in(public)
    missing = public_found - _ids_in(translations.POT)
    assert not missing, sorted(str(m) for m in missing)
    missing = _strings_in(staff) - _ids_in(translations.STAFF_POT)
    assert not missing, sorted(str(m) for m in missing)


def test_staff_catalog_is_complete_in_norwegian():
    locale = load_registry()["nb"]
    translated, total = translations.catalog_counts(locale, "staff")
    assert total > 0 and translated == total, f"staff nb: {translated}/{total}"


def test_the_staff_domain_keeps_each_language_s_plural_rule(app):
    """Flask-Babel merges the staff and public catalogs; the public plural rule must win, or
    Arabic (six forms) would fall back to the two forms of the staff domain's default."""
    from flask_babel import ngettext

    locale = next(loc for loc in CATALOG_LOCALES if loc.gettext == "ar")
    message = _catalog(locale)[PLURAL_MSGID]
    with app.test_request_context("/ar/"):
        use_locale(load_registry()["ar"])
        assert ngettext(PLURAL_MSGID, message.id[1], 5) == message.string[3] % {"num": 5}
        assert ngettext(PLURAL_MSGID, message.id[1], 100) == message.string[4] % {"num": 100}


@pytest.mark.parametrize(
    ("gettext_locale", "forms", "groups"),
    [
        # numbers that must share a form; each group a different form
        ("ar", 6, [(0,), (1,), (2,), (3, 10, 103), (11, 99, 111), (100, 101, 102)]),
        ("uk", 3, [(1, 21, 101), (2, 4, 22, 34), (0, 5, 11, 12, 25)]),
        ("ru", 3, [(1, 21, 101), (2, 4, 22, 34), (0, 5, 11, 12, 25)]),
    ],
)
def test_plural_forms(gettext_locale, forms, groups):
    locale = next(loc for loc in CATALOG_LOCALES if loc.gettext == gettext_locale)
    catalog = _catalog(locale)
    assert catalog.num_plurals == forms
    message = catalog[PLURAL_MSGID]
    assert len(message.string) == forms and all(message.string)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = Translations(fp=buffer)
    form_of = {n: compiled.plural(n) for group in groups for n in group}
    assert [len({form_of[n] for n in group}) for group in groups] == [1] * len(groups)
    assert len({form_of[group[0]] for group in groups}) == forms
    for n, form in form_of.items():
        text = compiled.ungettext(PLURAL_MSGID, message.id[1], n)
        assert text == message.string[form], (gettext_locale, n)
        # Arabic says one and two with the noun alone ("بلغتين", not "بـ 2 لغتين").
        spelled_out = gettext_locale == "ar" and n in (1, 2)
        assert ("%(num)d" in text) != spelled_out, (gettext_locale, n, text)


def test_status_reports_every_locale_and_passes(app):
    report = translations.status(app.extensions["pages"])
    assert report.complete
    for code in load_registry():
        assert any(line.startswith(code + " ") for line in report.text.splitlines()), code
    assert "9 unreviewed" in report.text and "9 source" in report.text


def test_status_command_fails_when_a_string_is_untranslated(app, tmp_path, monkeypatch):
    copy = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", copy)
    monkeypatch.setattr(translations, "TRANSLATIONS", copy)
    locale = next(loc for loc in CATALOG_LOCALES if loc.code == "so")
    catalog = _catalog(locale)
    next(m for m in catalog if m.id == "Privacy").string = ""
    with open(translations.catalog_path(locale), "wb") as handle:
        write_po(handle, catalog)
    result = app.test_cli_runner().invoke(args=["translations", "status"])
    assert result.exit_code == 1
    assert "so " in result.output


def test_status_command_succeeds_on_the_repository(runner):
    result = runner.invoke(args=["translations", "status"])
    assert result.exit_code == 0, result.output
