"""One list of interpreter languages for registration and booking (stored as a language tag),
shown to staff by name and tag; and switching language on a form page keeps what was typed."""

import csv
import io
import re

import pytest
from flask_babel import gettext
from sqlalchemy import select

from portal import db, i18n
from portal.appointments import services as booking_services
from portal.appointments.models import Booking
from portal.cases.models import Case
from portal.i18n import languages
from portal.registration.models import DraftStep
from tests.case_factory import make_case
from tests.conftest import CSRF_INPUT, form_key
from tests.registration_data import STEPS, fill_in
from tests.test_booking import FORM, MONDAY_0800, NOW, details, first_free_time

PORTAL_TAGS = ["nb", "en", "uk", "ru", "ar", "ti", "so", "fa-AF", "fa", "ps", "ckb", "ku"]


def _in(app, code):
    context = app.test_request_context(f"/{code}/")
    context.push()
    i18n.use_locale(i18n.get_locale_by_code(code))
    return context


def _flat(choices) -> list:
    return [choice for group in choices.values() for choice in group]


# --- the list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["nb", "ar"])
def test_the_twelve_come_first_then_the_rest_by_name_then_other(app, code):
    context = _in(app, code)
    try:
        choices = languages.choices()
        flat = _flat(choices)
        assert flat[0].value == ""  # "Choose", outside any group
        assert [c.value for c in flat[1:13]] == PORTAL_TAGS
        more = [c for c in flat[13:-1]]
        assert len(more) >= 40 and flat[-1].value == languages.OTHER
        names = [languages._sort_key(str(c.label).split(" (")[0], code) for c in more]
        assert names == sorted(names)
        tags = [c.value for c in flat if c.value]
        assert len(tags) == len(set(tags))
        assert {"tig", "am", "om", "sw", "rw", "rn", "ln", "tr", "ur", "my", "zh"} <= set(tags)
        assert list(choices)[1:] == [
            gettext("Languages of this website"),
            gettext("More languages"),
        ]
    finally:
        context.pop()


def test_names_cldr_lacks_in_the_readers_language_come_last():
    """Tigrinya has no CLDR name for Dinka or Tagalog: shown in English, after the Ge'ez ones."""
    from babel import Locale

    names = [lang.name for lang in languages.more_languages(Locale.parse("ti"))]
    assert names[-2:] == ["Dinka", "Tagalog"] and not names[0].isascii()


def test_sorting_sets_accents_aside_and_puts_norwegian_letters_after_z():
    names = ["Østerriksk", "Ålandsk", "Zulu", "Ærlig", "Émile", "Ewe"]
    assert sorted(names, key=lambda name: languages._sort_key(name, "nb")) == [
        "Émile", "Ewe", "Zulu", "Ærlig", "Østerriksk", "Ålandsk"
    ]  # fmt: skip
    # Elsewhere å is an a with a ring.
    assert sorted(names, key=lambda name: languages._sort_key(name, "en"))[:3] == [
        "Ålandsk", "Émile", "Ewe"
    ]  # fmt: skip


def test_names_in_the_reader_language_with_their_own_name(app):
    context = _in(app, "nb")
    try:
        labels = {c.value: str(c.label) for c in _flat(languages.choices())}
        assert labels["ar"] == "Arabisk (\u2068العربية\u2069)"
        assert labels["nb"] == "Norsk bokmål"  # no hint when the names are the same
        assert labels["fa-AF"] == "Dari (\u2068دری\u2069)"
        assert labels["am"] == "Amharisk (\u2068አማርኛ\u2069)"
        assert labels["ka"] == "Georgisk (\u2068ქართული\u2069)"  # no capitals in Georgian
    finally:
        context.pop()
    context = _in(app, "ar")
    try:
        labels = {c.value: str(c.label) for c in _flat(languages.choices())}
        assert labels["ar"] == "العربية"
        assert labels["en"] == "الإنجليزية (\u2068English\u2069)"
        assert labels["ti"] == "التغرينية (\u2068ትግርኛ\u2069)"
    finally:
        context.pop()


def test_stored_values_old_and_new(app):
    assert languages.stored_value("ar", "") == "ar"
    assert languages.stored_value("other", "Tigre dialect of Keren") == "Tigre dialect of Keren"
    assert languages.stored_value("", "x") is None
    assert languages.form_values("ar") == ("ar", "")
    assert languages.form_values("العربية") == ("ar", "")  # typed before there was a list
    assert languages.form_values("Klingon") == ("other", "Klingon")
    context = _in(app, "nb")
    try:
        assert languages.for_staff("ar") == "Arabisk (ar)"
        assert languages.for_staff("العربية") == "Arabisk (ar)"
        assert languages.for_staff("Farsi") == "Persisk (fa)"
        assert languages.for_staff("Klingon") == "Klingon"
        assert languages.readable("tig") == "Tigré"
    finally:
        context.pop()


# --- registration and booking store a tag -----------------------------------------------------


def test_registration_offers_the_list_and_stores_a_tag_or_the_typed_other(app, forms):
    fill_in(forms, lang="ar", until="language")
    html = forms.client.get("/ar/family-registration/language").get_data(as_text=True)
    assert 'id="interpreter_language" name="interpreter_language"' in html
    assert '<option value="ar">العربية</option>' in html
    assert '<optgroup label="' in html
    base = "/ar/family-registration"
    other = {**STEPS["language"], "interpreter_language": "other"}
    refused = forms.post(f"{base}/language", other)
    assert refused.status_code == 200 and 'id="interpreter_language_other-error"' in (
        refused.get_data(as_text=True)
    )
    forms.post(f"{base}/language", {**other, "interpreter_language_other": "Tigre"})
    forms.post(f"{base}/contact", STEPS["contact"])
    forms.post(f"{base}/submit", {"confirm": "y"})
    with app.app_context():
        case = db.get_session().scalars(select(Case)).one()
        assert case.interpreter_language == "Tigre"


@pytest.mark.parametrize("code", ["en", "ckb", "ti"])
def test_a_value_not_in_the_list_or_a_name_without_letters_is_refused(app, forms, code):
    """Only the list's values and, for "another language", a name with letters: what was posted
    is never taken as "another language" unchecked, and marks or digits alone name nothing."""
    fill_in(forms, lang=code, until="language")
    base = f"/{code}/family-registration"
    for sent in (
        {"interpreter_language": "Klingon\r\n\r\nX   Y"},
        {"interpreter_language": "other", "interpreter_language_other": "\u202e\u2066\u200f"},
        {"interpreter_language": "other", "interpreter_language_other": "\u0661\u0662\u0663"},
    ):
        refused = forms.post(f"{base}/language", {**STEPS["language"], **sent})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 200 and "error-summary" in html, sent
    with app.app_context():
        steps = db.get_session().scalars(select(DraftStep.step)).all()
        assert "language" not in steps


def test_an_old_free_text_answer_comes_back_in_the_form(app, forms):
    fill_in(forms, lang="en", until="contact")
    with app.app_context():
        session = db.get_session()
        row = session.scalars(select(DraftStep).where(DraftStep.step == "language")).one()
        row.data = {**row.data, "interpreter_language": "Klingon"}  # typed before the list
        session.commit()
    html = forms.client.get("/en/family-registration/language").get_data(as_text=True)
    assert '<option value="other" selected>' in html
    assert 'name="interpreter_language_other" type="text" value="Klingon"' in html


def test_booking_stores_the_tag_and_the_manage_page_names_it(app, forms):
    day, times = first_free_time(forms.client)
    forms.post(f"/uk/book/general/{day}/{times[0]}", {**FORM, "interpreter_language": "ar"})
    with app.app_context():
        assert db.get_session().scalars(select(Booking)).one().interpreter_language == "ar"
    html = forms.client.get("/uk/booking/").get_data(as_text=True)
    assert "<bdi>Арабська</bdi>" in html


# --- staff see the name and the tag -------------------------------------------------------------


def test_staff_see_a_tag_by_name_and_old_text_as_typed(app, client, staff):
    new = make_case(app, name="Tagged Person", interpreter="ti")
    old = make_case(app, name="Typed Person", interpreter="Tigrinja fra Asmara")
    staff.as_role("caseworker")
    client.set_cookie("staff_lang", "nb")
    queue = client.get("/staff/cases/").get_data(as_text=True)
    assert "<bdi>Tigrinja (ti)</bdi>" in queue and "<bdi>Tigrinja fra Asmara</bdi>" in queue
    page = client.get(f"/staff/cases/{new}").get_data(as_text=True)
    assert "<bdi>Tigrinja (ti)</bdi>" in page
    client.set_cookie("staff_lang", "en")
    assert "<bdi>Tigrinya (ti)</bdi>" in client.get(f"/staff/cases/{new}").get_data(as_text=True)
    assert "Tigrinja fra Asmara" in client.get(f"/staff/cases/{old}").get_data(as_text=True)
    export = client.get("/staff/cases/export.csv").get_data(as_text=True).lstrip("\ufeff")
    column = [row[7] for row in csv.reader(io.StringIO(export))][1:]
    assert sorted(column) == ["Tigrinja fra Asmara", "Tigrinya (ti)"]


def test_the_day_list_names_a_tag_and_keeps_old_text(app, client, staff):
    with app.app_context():
        for hour, stored in ((8, "ar"), (9, "العربية"), (10, "Klingon")):
            booking_services.book(
                db.serialised_session(), app.extensions["profile"],
                MONDAY_0800.replace(hour=hour), details(f"+479100000{hour}", interpreter_language=stored),
                NOW, **form_key(app),
            )  # fmt: skip
    staff.as_role("reception")
    client.set_cookie("staff_lang", "en")
    html = client.get("/staff/desk/?day=2030-01-07").get_data(as_text=True)
    assert "<bdi>Arabic</bdi>: 2 (2 on site, 0 by phone)" in html
    assert "(<bdi>ar</bdi>)" in html  # the name, and the tag stored
    assert "<bdi>Klingon</bdi>: 1" in html


# --- switching language keeps what was typed ---------------------------------------------------


def _token(html: str) -> str:
    return CSRF_INPUT.search(html).group(1)


def test_switching_language_in_a_registration_step_keeps_the_typed_text(app, forms):
    fill_in(forms, lang="en", until="permit")
    page = forms.client.get("/en/family-registration/permit").get_data(as_text=True)
    assert 'form="step-form" formaction="/ar/family-registration/permit"' in page
    assert 'name="switch_language" value="ar"' in page
    typed = {"application_date": "2024-02-01", "permit_date": "31.02.2024"}  # not a date yet
    response = forms.client.post(
        "/ar/family-registration/permit",
        data={**typed, "switch_language": "ar", "csrf_token": _token(page)},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert 'value="31.02.2024"' in html and 'value="2024-02-01"' in html
    assert "error-summary" not in html  # not checked: nothing was sent yet
    assert "lang=ar" in response.headers["Set-Cookie"]
    with app.app_context():
        saved = db.get_session().scalars(select(DraftStep.step)).all()
        assert "permit" not in saved  # nothing saved that was not sent with "Continue"
    # The next "Continue" is the ordinary one, in Arabic.
    again = forms.client.post(
        "/ar/family-registration/permit", data={**STEPS["permit"], "csrf_token": _token(html)}
    )
    assert again.status_code == 302 and again.location == "/ar/family-registration/language"


def test_a_switch_without_a_good_token_is_an_ordinary_refused_form(app, forms):
    fill_in(forms, lang="en", until="permit")
    response = forms.client.post(
        "/ar/family-registration/permit",
        data={"application_date": "2024-02-01", "switch_language": "ar", "csrf_token": "x"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "error-summary" in html
    assert 'value="2024-02-01"' in html
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_switching_language_in_the_booking_form_keeps_the_typed_text(app, forms):
    day, times = first_free_time(forms.client)
    path = f"/uk/book/general/{day}/{times[0]}"
    page = forms.client.get(path).get_data(as_text=True)
    assert f'form="details-form" formaction="/ar/book/general/{day}/{times[0]}"' in page
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    typed = {"name": "Олена", "phone": "+380 50 123", "note": "Я прийду", "form_key": key,
             "interpreter_needed": "yes", "interpreter_language": "other",
             "interpreter_language_other": "Суржик"}  # fmt: skip
    response = forms.client.post(
        f"/ar/book/general/{day}/{times[0]}",
        data={**typed, "switch_language": "ar", "csrf_token": _token(page)},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert 'value="Олена"' in html and "Я прийду" in html and 'value="Суржик"' in html
    assert '<option value="other" selected>' in html and f'value="{key}"' in html
    assert "error-summary" not in html
    with app.app_context():
        assert db.get_session().scalars(select(Booking)).all() == []


def test_pages_without_a_form_keep_plain_links(client):
    html = client.get("/en/").get_data(as_text=True)
    assert "switch_language" not in html
    assert 'href="/language/ar?next=/"' in html


def test_check_page_names_the_language_and_asks_no_other_when_listed(forms):
    fill_in(forms, lang="nb")
    html = forms.client.get("/nb/family-registration/check").get_data(as_text=True)
    assert "Ukrainsk (\u2068Українська\u2069)" in html
    assert "#interpreter_language_other" not in html  # "another language" was not chosen


def test_switching_on_the_first_step_needs_no_draft(app, forms):
    page = forms.client.get("/en/family-registration/eligibility").get_data(as_text=True)
    response = forms.client.post(
        "/so/family-registration/eligibility",
        data={"lived_here_under_five_years": "unsure", "switch_language": "so",
              "csrf_token": _token(page)},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="so"' in html
    assert 'value="unsure" checked' in html
    with app.app_context():
        assert db.get_session().scalars(select(DraftStep)).all() == []
